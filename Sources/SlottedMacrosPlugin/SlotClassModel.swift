import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// The arguments of `@SlotClass(...)`.
struct SlotClassOptions {
    var base: String? = nil
    var description = true
    var equatable = true
    var hashable = true
    var codable = true
    var copy = true
    var replacing = true

    static let flagLabels = ["description", "equatable", "hashable", "codable", "copy", "replacing"]

    /// Reads the attribute's arguments; reports malformed ones and returns nil.
    static func parse(_ node: AttributeSyntax, diagnostics: inout [Diagnostic]) -> SlotClassOptions? {
        var options = SlotClassOptions()
        var ok = true
        var explicitHashable: Bool? = nil
        guard case .argumentList(let args)? = node.arguments else { return options }
        for arg in args {
            let label = arg.label?.text ?? ""
            if label == "base" {
                if let member = arg.expression.as(MemberAccessExprSyntax.self),
                   member.declName.baseName.text == "self", let base = member.base
                {
                    options.base = base.trimmedDescription
                } else {
                    diagnostics.append(Diagnostic(node: arg.expression, message: SlotClassDiagnostic.badBase))
                    ok = false
                }
                continue
            }
            guard flagLabels.contains(label) else { continue }  // the compiler rejects unknown labels
            guard let literal = arg.expression.as(BooleanLiteralExprSyntax.self) else {
                diagnostics.append(Diagnostic(node: arg.expression, message: SlotClassDiagnostic.badArgument(label: label)))
                ok = false
                continue
            }
            let value = literal.literal.tokenKind == .keyword(.true)
            switch label {
            case "description": options.description = value
            case "equatable": options.equatable = value
            case "hashable": explicitHashable = value
            case "codable": options.codable = value
            case "copy": options.copy = value
            default: options.replacing = value
            }
        }
        if explicitHashable == true && !options.equatable {
            diagnostics.append(Diagnostic(node: node, message: SlotClassDiagnostic.hashableWithoutEquatable))
            ok = false
        }
        options.hashable = explicitHashable ?? options.equatable
        return ok ? options : nil
    }
}

/// A `@SlotClass` struct, analysed: its fields in declaration order and what to generate.
struct SlotClassModel {
    let typeName: String
    let access: String  // "public ", "package " or ""
    let fields: [Field]
    let options: SlotClassOptions

    var isPublic: Bool { !access.isEmpty }
    var inlinable: String { isPublic ? "@inlinable " : "" }
    var base: String? { options.base }

    static let reservedNames: Set<String> = [
        "instance", "fields", "base", "space", "copy", "replacing", "description", "Fields",
    ]

    /// Analyses the declaration, collecting diagnostics; nil when it cannot be expanded. The
    /// member role reports the diagnostics; the extension role discards them, so nothing is
    /// said twice.
    static func analyse(_ node: AttributeSyntax, _ declaration: some DeclGroupSyntax,
                        diagnostics: inout [Diagnostic]) -> SlotClassModel?
    {
        guard let structDecl = declaration.as(StructDeclSyntax.self) else {
            let kind: String =
                if declaration.is(ClassDeclSyntax.self) { "a class" }
                else if declaration.is(EnumDeclSyntax.self) { "an enum" }
                else if declaration.is(ActorDeclSyntax.self) { "an actor" }
                else if declaration.is(ProtocolDeclSyntax.self) { "a protocol" }
                else if declaration.is(ExtensionDeclSyntax.self) { "an extension" }
                else { "this declaration" }
            diagnostics.append(Diagnostic(node: node, message: SlotClassDiagnostic.notAStruct(kind: kind)))
            return nil
        }
        var ok = true
        let options = SlotClassOptions.parse(node, diagnostics: &diagnostics)
        if options == nil { ok = false }
        if structDecl.genericParameterClause != nil {
            diagnostics.append(Diagnostic(node: structDecl.name, message: SlotClassDiagnostic.generic))
            ok = false
        }
        let typeName = structDecl.name.text
        var access = ""
        for m in structDecl.modifiers {
            switch m.name.tokenKind {
            case .keyword(.public), .keyword(.open): access = "public "
            case .keyword(.package): access = "package "
            default: break
            }
        }

        var fields: [Field] = []
        var seen: Set<String> = []
        var sawStored = false
        for member in structDecl.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            let isStatic = variable.modifiers.contains {
                $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
            }
            let isComputed = variable.bindings.allSatisfy { binding in
                guard let block = binding.accessorBlock else { return false }
                return !Self.isObserverBlock(block)
            }
            if isStatic {
                if !isComputed {
                    for binding in variable.bindings {
                        let name = binding.pattern.trimmedDescription
                        diagnostics.append(Diagnostic(node: binding.pattern,
                                                      message: SlotClassDiagnostic.staticProperty(name: name, type: typeName)))
                    }
                }
                continue
            }
            if isComputed { continue }  // computed properties are members, not slots
            sawStored = true
            guard variable.bindings.count == 1, let binding = variable.bindings.first else {
                diagnostics.append(Diagnostic(node: variable, message: SlotClassDiagnostic.multipleBindings))
                ok = false
                continue
            }
            guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else {
                diagnostics.append(Diagnostic(node: binding.pattern, message: SlotClassDiagnostic.notAnIdentifier))
                ok = false
                continue
            }
            let name = pattern.identifier.text.trimmingCharacters(in: "`")
            if let block = binding.accessorBlock, Self.isObserverBlock(block) {
                diagnostics.append(Diagnostic(node: block, message: SlotClassDiagnostic.observers(name: name)))
                ok = false
                continue
            }
            if variable.modifiers.contains(where: { $0.name.tokenKind == .keyword(.lazy) }) {
                diagnostics.append(Diagnostic(node: variable, message: SlotClassDiagnostic.lazyField(name: name)))
                ok = false
                continue
            }
            if variable.attributes.contains(where: { attr in
                guard let a = attr.as(AttributeSyntax.self) else { return false }
                let n = a.attributeName.trimmedDescription
                return n != "_SlotField" && n.first?.isUppercase == true
            }) {
                diagnostics.append(Diagnostic(node: variable.attributes, message: SlotClassDiagnostic.propertyWrapper(name: name)))
                ok = false
                continue
            }
            if name.hasPrefix("__") {
                diagnostics.append(Diagnostic(node: pattern, message: SlotClassDiagnostic.mangledName(name: name)))
                ok = false
                continue
            }
            if reservedNames.contains(name) {
                diagnostics.append(Diagnostic(node: pattern, message: SlotClassDiagnostic.reservedName(name: name)))
                ok = false
                continue
            }
            guard seen.insert(name).inserted else {
                diagnostics.append(Diagnostic(node: pattern, message: SlotClassDiagnostic.duplicateField(name: name)))
                ok = false
                continue
            }
            guard let type = binding.typeAnnotation?.type else {
                diagnostics.append(Diagnostic(node: pattern, message: SlotClassDiagnostic.missingType(field: name)))
                ok = false
                continue
            }
            let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
            if isLet, binding.initializer != nil {
                diagnostics.append(Diagnostic(node: binding.initializer!, message: SlotClassDiagnostic.letWithDefault(name: name)))
                ok = false
                continue
            }
            switch type.classifyForSlot() {
            case .unsupported(let reason):
                diagnostics.append(Diagnostic(node: type, message: SlotClassDiagnostic.unsupportedType(
                    field: name, type: type.trimmedDescription, reason: reason)))
                ok = false
            case .supported(let kind, let isView, let optional, let wrapped):
                fields.append(Field(name: name, typeText: type.trimmedDescription, wrappedTypeText: wrapped,
                                    optional: optional, kind: kind, isView: isView, isLet: isLet,
                                    defaultValue: binding.initializer?.value, node: variable))
            }
        }
        if !sawStored && options?.base == nil {
            diagnostics.append(Diagnostic(node: structDecl.name, message: SlotClassDiagnostic.noFields(type: typeName)))
            ok = false
        }
        guard ok, var options else { return nil }
        // A raw `Instance` handle has no coded form: such a type is not Codable.
        if fields.contains(where: { $0.kind == .instance && !$0.isView }) { options.codable = false }
        return SlotClassModel(typeName: typeName, access: access, fields: fields, options: options)
    }

    static func isObserverBlock(_ block: AccessorBlockSyntax) -> Bool {
        guard case .accessors(let list) = block.accessors else { return false }
        return list.contains {
            $0.accessorSpecifier.tokenKind == .keyword(.willSet) || $0.accessorSpecifier.tokenKind == .keyword(.didSet)
        }
    }

    /// Whether `variable` is a field the accessor macro turns into slot accessors (a valid
    /// `var` field); `let` fields stay stored.
    static func isAccessorField(_ variable: VariableDeclSyntax) -> Bool {
        guard variable.bindingSpecifier.tokenKind == .keyword(.var),
              !variable.modifiers.contains(where: {
                  [.keyword(.static), .keyword(.class), .keyword(.lazy)].contains($0.name.tokenKind)
              }),
              variable.bindings.count == 1, let binding = variable.bindings.first,
              binding.accessorBlock == nil,
              let pattern = binding.pattern.as(IdentifierPatternSyntax.self),
              let type = binding.typeAnnotation?.type
        else { return false }
        let name = pattern.identifier.text.trimmingCharacters(in: "`")
        if name.hasPrefix("__") || reservedNames.contains(name) { return false }
        if variable.attributes.contains(where: { attr in
            guard let a = attr.as(AttributeSyntax.self) else { return false }
            let n = a.attributeName.trimmedDescription
            return n.first?.isUppercase == true
        }) { return false }
        if case .supported = type.classifyForSlot() { return true }
        return false
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
