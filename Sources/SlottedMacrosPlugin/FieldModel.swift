import SwiftDiagnostics
import SwiftSyntax

/// The slot type a field's Swift type maps to, with the size and alignment
/// `Slotted.SlotType` gives it (the macro lays the cell out with these at compile time).
enum SlotKind: String, CaseIterable {
    case int, double, bool, string, int32, float, uint8, any, instance

    /// The Swift type names that map to this kind (module-qualified forms included).
    static let byTypeName: [String: SlotKind] = [
        "Int": .int, "Double": .double, "Bool": .bool, "String": .string, "Int32": .int32,
        "Float": .float, "UInt8": .uint8, "Value": .any, "Instance": .instance,
    ]

    /// Standard types a slot cannot hold, named so the diagnostic is immediate (any other
    /// plain type name is taken for a `@SlotClass` type; the type checker confirms it).
    static let knownUnsupported: Set<String> = [
        "Int8", "Int16", "Int64", "Int128", "UInt", "UInt16", "UInt32", "UInt64", "UInt128",
        "Float16", "Float80", "CGFloat", "Character", "Substring", "StaticString", "Decimal",
        "Date", "Data", "URL", "UUID", "Array", "Dictionary", "Set", "ContiguousArray",
        "Any", "AnyObject", "AnyHashable", "Never", "Void", "Result", "Range", "ClosedRange",
        "Unicode", "SlotClass", "ObjectSpace", "SlotType",
    ]

    var size: Int {
        switch self {
        case .any: 16
        case .int, .double, .string, .instance: 8
        case .int32, .float: 4
        case .bool, .uint8: 1
        }
    }

    var alignment: Int { self == .any ? 8 : size }

    /// The `SlotType` case, as source.
    var slotTypeSource: String { ".\(rawValue)" }
}

/// One stored property of a `@SlotClass` struct, classified.
struct Field {
    /// The name as written, backticks removed.
    let name: String
    /// The declared type as written (e.g. `String?`).
    let typeText: String
    /// The type without the optional (e.g. `String`).
    let wrappedTypeText: String
    let optional: Bool
    /// `.instance` for a field of another `@SlotClass` type (`isView`).
    let kind: SlotKind
    /// Whether the field holds another `@SlotClass` type, read and written as its view.
    let isView: Bool
    let isLet: Bool
    let defaultValue: ExprSyntax?
    let node: VariableDeclSyntax

    /// The name as an identifier in generated code (backticked when it is a keyword).
    var ident: String { Field.identifier(name) }
    /// The static property holding the compile-time layout.
    var layoutName: String { "__slotted_\(name)" }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in",
        "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
        "super", "self", "Self", "throw", "throws", "true", "try",
    ]

    static func identifier(_ name: String) -> String { keywords.contains(name) ? "`\(name)`" : name }
}

/// Where the generated code would put an own field: root classes get absolute offsets, derived
/// classes offsets relative to their own layer's aligned start.
struct PlannedSlot {
    let offset: Int
    let presenceOffset: Int
    let presenceMask: Int
}

enum LayoutPlanner {
    static let headerBytes = 8
    static let presenceBits = 16
    static let minCell = 16

    /// `ObjectSpace.layOut` for a class without a base: the 8-byte header, then the slots by
    /// decreasing alignment (declaration order among equals), then presence bytes for slots
    /// past the header's 16 bits. Returns each slot's layout (declaration order), the end of
    /// the layout and the cell size.
    static func root(_ kinds: [SlotKind]) -> (slots: [PlannedSlot], end: Int, cellSize: Int) {
        let (relative, alignment, size) = ownLayer(kinds)
        let start = align(headerBytes, alignment)
        let firstExtra = presenceBits
        let extraCount = max(0, kinds.count - firstExtra)
        let presenceStart = start + size
        var slots: [PlannedSlot] = []
        for (index, rel) in relative.enumerated() {
            if index < presenceBits {
                slots.append(PlannedSlot(offset: start + rel, presenceOffset: index / 8, presenceMask: 1 << (index % 8)))
            } else {
                slots.append(PlannedSlot(offset: start + rel, presenceOffset: presenceStart + (index - firstExtra) / 8,
                                         presenceMask: 1 << ((index - firstExtra) % 8)))
            }
        }
        let end = presenceStart + (extraCount + 7) / 8
        return (slots, end, max(minCell, align(end, 8)))
    }

    /// The own layer alone: each slot's offset from the layer's start (declaration order), the
    /// layer's largest alignment (the start is aligned to it) and its byte size. Sorting by
    /// decreasing alignment means only the start needs aligning: every size is a multiple of
    /// the alignments after it.
    static func ownLayer(_ kinds: [SlotKind]) -> (relative: [Int], alignment: Int, size: Int) {
        let order = kinds.indices.sorted { (kinds[$0].alignment, -$0) > (kinds[$1].alignment, -$1) }
        var relative = [Int](repeating: 0, count: kinds.count)
        var offset = 0
        for k in order {
            offset = align(offset, kinds[k].alignment)
            relative[k] = offset
            offset += kinds[k].size
        }
        return (relative, kinds.map(\.alignment).max() ?? 1, offset)
    }

    static func align(_ o: Int, _ a: Int) -> Int { (o + a - 1) / a * a }
}

// MARK: - Classifying a declared type

enum TypeClassification {
    case supported(kind: SlotKind, isView: Bool, optional: Bool, wrapped: String)
    case unsupported(reason: String)
}

extension TypeSyntax {
    /// Maps a field's declared type to its slot: one of the `SlotValue` types, another
    /// `@SlotClass` type (any other plain type name), or an optional of one of them.
    func classifyForSlot() -> TypeClassification {
        if let opt = self.as(OptionalTypeSyntax.self) {
            return Self.classifyWrapped(opt.wrappedType, whole: self)
        }
        if let ident = self.as(IdentifierTypeSyntax.self), ident.name.text == "Optional",
           let args = ident.genericArgumentClause?.arguments, args.count == 1,
           case .type(let wrapped) = args.first!.argument
        {
            return Self.classifyWrapped(wrapped, whole: self)
        }
        if self.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            return .unsupported(reason: "implicitly unwrapped optionals are not supported: declare it '?' (nil is an unset slot)")
        }
        return Self.classifyPlain(self, optional: false)
    }

    private static func classifyWrapped(_ wrapped: TypeSyntax, whole: TypeSyntax) -> TypeClassification {
        if wrapped.is(OptionalTypeSyntax.self) || wrapped.is(ImplicitlyUnwrappedOptionalTypeSyntax.self)
            || (wrapped.as(IdentifierTypeSyntax.self)?.name.text == "Optional")
        {
            return .unsupported(reason: "a nested optional cannot be stored: an optional field is nil exactly when its slot is unset, so there is no second nil")
        }
        return classifyPlain(wrapped, optional: true)
    }

    private static func classifyPlain(_ type: TypeSyntax, optional: Bool) -> TypeClassification {
        let text = type.trimmedDescription
        var name: String? = nil
        var qualified = false
        if let ident = type.as(IdentifierTypeSyntax.self), ident.genericArgumentClause == nil {
            name = ident.name.text
        } else if let member = type.as(MemberTypeSyntax.self), member.genericArgumentClause == nil {
            let module = member.baseType.trimmedDescription
            if module == "Swift" || module == "Slotted" {
                name = member.name.text
            } else {
                // `Outer.Event`: a nested @SlotClass type.
                name = nil
                qualified = true
            }
        }
        if let name {
            if let kind = SlotKind.byTypeName[name] {
                return .supported(kind: kind, isView: false, optional: optional, wrapped: text)
            }
            if SlotKind.knownUnsupported.contains(name) {
                let integers: Set<String> = ["Int8", "Int16", "Int64", "Int128", "UInt", "UInt16", "UInt32", "UInt64", "UInt128"]
                let floats: Set<String> = ["Float16", "Float80", "CGFloat", "Decimal"]
                if integers.contains(name) { return .unsupported(reason: "integer slots are Int (64-bit), Int32 and UInt8") }
                if floats.contains(name) { return .unsupported(reason: "floating-point slots are Double and Float") }
                return .unsupported(reason: "")
            }
            return .supported(kind: .instance, isView: true, optional: optional, wrapped: text)
        }
        if qualified {
            return .supported(kind: .instance, isView: true, optional: optional, wrapped: text)
        }
        return .unsupported(reason: "")
    }
}
