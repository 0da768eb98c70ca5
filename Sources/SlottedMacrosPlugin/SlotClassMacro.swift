import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@SlotClass`: Slotted's `@dataclass(slots=True)`.
///
/// - member role: the `instance` handle, the compile-time layout of every field, the class
///   registration, the initializers, `Fields`, `fields`, `copy()`, `replacing(...)` and the
///   helpers the conformances use;
/// - member-attribute role: `@_SlotField` on every `var` field, whose accessor macro turns the
///   stored property into a header check and a load or store at the compile-time offset;
/// - extension role: `SlotClassView` and the opted-in conformances.
public struct SlotClassMacro: MemberMacro, MemberAttributeMacro, ExtensionMacro {
    // MARK: Member role

    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        var diagnostics: [Diagnostic] = []
        let model = SlotClassModel.analyse(node, declaration, diagnostics: &diagnostics)
        diagnostics.forEach(context.diagnose)
        guard let model else { return [] }
        return MemberGenerator(model: model).members()
    }

    // MARK: Member-attribute role

    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingAttributesFor member: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AttributeSyntax] {
        guard declaration.is(StructDeclSyntax.self),
              let variable = member.as(VariableDeclSyntax.self),
              SlotClassModel.isAccessorField(variable),
              !variable.attributes.contains(where: {
                  $0.as(AttributeSyntax.self)?.attributeName.trimmedDescription == "_SlotField"
              })
        else { return [] }
        return ["@_SlotField"]
    }

    // MARK: Extension role

    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        var ignored: [Diagnostic] = []
        guard let model = SlotClassModel.analyse(node, declaration, diagnostics: &ignored) else { return [] }
        let wanted = Set(protocols.map { $0.trimmedDescription.split(separator: ".").last.map(String.init) ?? "" })
        let typeText = type.trimmedDescription
        let a = model.access
        var out: [ExtensionDeclSyntax] = []
        func add(_ source: String) {
            out.append(ExtensionDeclSyntax(DeclSyntax(stringLiteral: source))!)
        }
        if wanted.contains("SlotClassView") {
            add("extension \(typeText): Slotted.SlotClassView {}")
        }
        if model.options.description, wanted.contains("CustomStringConvertible") {
            add("""
                extension \(typeText): CustomStringConvertible {
                    /// The dataclass repr: `\(model.typeName)(field=value, ...)`.
                    \(a)var description: String {
                        var parts: [String] = []
                        __slotted_describe(into: &parts)
                        return "\(model.typeName)(" + parts.joined(separator: ", ") + ")"
                    }
                }
                """)
        }
        if model.options.equatable, wanted.contains("Equatable") {
            add("""
                extension \(typeText): Equatable {
                    /// Equal by value, as a dataclass: the same instance, or instances of the same
                    /// class whose fields are equal.
                    \(a)static func == (lhs: \(typeText), rhs: \(typeText)) -> Bool {
                        lhs.instance == rhs.instance
                            || (Slotted._slottedSameClass(lhs.instance, rhs.instance) && lhs.__slotted_equal(rhs))
                    }
                }
                """)
        }
        if model.options.hashable, wanted.contains("Hashable") {
            add("""
                extension \(typeText): Hashable {
                    /// Hashes the field values (consistent with `==`).
                    \(a)func hash(into hasher: inout Hasher) {
                        __slotted_hash(into: &hasher)
                    }
                }
                """)
        }
        if model.options.codable, wanted.contains("Codable") || wanted.contains("Encodable") || wanted.contains("Decodable") {
            add("""
                extension \(typeText): Codable {
                    /// Encodes the fields as one keyed container (base fields first).
                    \(a)func encode(to encoder: any Encoder) throws {
                        try fields.encode(to: encoder)
                    }

                    /// Decodes the fields and constructs a new instance in the space given as
                    /// `decoder.userInfo[.slottedSpace]`.
                    \(a)init(from decoder: any Decoder) throws {
                        try self.init(in: Slotted._slottedDecodingSpace(decoder, "\(model.typeName)"), fields: Fields(from: decoder))
                    }
                }
                """)
        }
        return out
    }
}

/// `@_SlotField`: the accessors of one `var` field (added by `@SlotClass`, not written by hand).
public struct SlotFieldMacro: AccessorMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingAccessorsOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AccessorDeclSyntax] {
        guard let variable = declaration.as(VariableDeclSyntax.self),
              SlotClassModel.isAccessorField(variable),
              let binding = variable.bindings.first,
              let pattern = binding.pattern.as(IdentifierPatternSyntax.self),
              let type = binding.typeAnnotation?.type,
              case .supported(_, let isView, let optional, _) = type.classifyForSlot()
        else { return [] }
        let name = pattern.identifier.text.trimmingCharacters(in: "`")
        let layout = "Self.__slotted_\(name)"
        let inlinable = variable.modifiers.contains {
            $0.name.tokenKind == .keyword(.public) || $0.name.tokenKind == .keyword(.package)
        } ? "@inlinable " : ""
        let suffix = (optional ? "Optional" : "") + (isView ? "View" : "")
        return [
            "\(raw: inlinable)get { instance._slottedGet\(raw: suffix)(\(raw: layout), \(literal: name)) }",
            "\(raw: inlinable)nonmutating set { instance._slottedSet\(raw: suffix)(newValue, \(raw: layout), \(literal: name)) }",
        ]
    }
}
