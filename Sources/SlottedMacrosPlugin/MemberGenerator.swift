import SwiftSyntax

/// The members `@SlotClass` adds to a struct.
struct MemberGenerator {
    let model: SlotClassModel

    var a: String { model.access }
    var fields: [Field] { model.fields }
    var typeName: String { model.typeName }

    func members() -> [DeclSyntax] {
        var out: [String] = []
        out.append("""
            /// The instance this view reads and writes: the same object through the dynamic API
            /// (`get`, `set`, `free`, `sizeof`, weak references).
            \(a)let instance: Slotted.Instance
            """)
        out += layoutMembers()
        out.append(registration())
        out += initializers()
        if let base = model.base {
            out.append("""
                /// This instance seen as its base class `\(base)`.
                \(a)var base: \(base) {
                    \(base)(__slotted_unchecked: instance)
                }
                """)
        }
        out.append(fieldsStruct())
        out.append(fieldsSnapshot())
        out.append(initializeHelper())
        if model.options.copy { out.append(copyMember()) }
        if model.options.replacing { out += replacingMembers() }
        if model.options.description { out.append(describeHelper()) }
        if model.options.equatable { out.append(equalHelper()) }
        if model.options.hashable { out.append(hashHelper()) }
        return out.map { DeclSyntax(stringLiteral: $0) }
    }

    // MARK: Layout

    /// The compile-time layout: absolute offsets for a class without a base (what
    /// `ObjectSpace.layOut` computes), offsets relative to the base's end for a derived class.
    func layoutMembers() -> [String] {
        var out: [String] = []
        let kinds = fields.map(\.kind)
        if let base = model.base {
            let (relative, alignment, size) = LayoutPlanner.ownLayer(kinds)
            let args = "baseEnd: \(base).__slotted_layoutEnd, baseCount: \(base).__slotted_slotCount, ownAlignment: \(alignment), ownSize: \(size)"
            for (k, field) in fields.enumerated() {
                out.append("""
                    /// `\(field.name)`: \(field.kind) slot \(k) of this layer, at \(relative[k]) bytes into it.
                    \(model.inlinable)\(a)static var \(field.layoutName): Slotted._SlotFieldLayout {
                        Slotted._SlotFieldLayout.derived(\(args), relativeOffset: \(relative[k]), index: \(k))
                    }
                    """)
            }
            out.append("""
                \(model.inlinable)\(a)static var __slotted_slotCount: Int {
                    \(base).__slotted_slotCount + \(fields.count)
                }
                """)
            out.append("""
                \(model.inlinable)\(a)static var __slotted_layoutEnd: Int {
                    Slotted._SlotFieldLayout.derivedEnd(\(args), ownCount: \(fields.count))
                }
                """)
        } else {
            let plan = LayoutPlanner.root(kinds)
            for (k, field) in fields.enumerated() {
                let slot = plan.slots[k]
                out.append("""
                    /// `\(field.name)`: \(field.kind) slot \(k), \(field.kind.size) byte\(field.kind.size == 1 ? "" : "s") at offset \(slot.offset).
                    \(model.inlinable)\(a)static var \(field.layoutName): Slotted._SlotFieldLayout {
                        Slotted._SlotFieldLayout(offset: \(slot.offset), presenceOffset: \(slot.presenceOffset), presenceMask: \(hex(slot.presenceMask)))
                    }
                    """)
            }
            out.append("""
                \(model.inlinable)\(a)static var __slotted_slotCount: Int {
                    \(fields.count)
                }
                """)
            out.append("""
                /// The layout ends at byte \(plan.end); instances take \(plan.cellSize) bytes.
                \(model.inlinable)\(a)static var __slotted_layoutEnd: Int {
                    \(plan.end)
                }
                """)
        }
        return out
    }

    func hex(_ v: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + (s.count < 2 ? "0" + s : s)
    }

    func registration() -> String {
        let specs = fields.map {
            "Slotted._SlotFieldSpec(name: \(stringLiteral($0.name)), type: \($0.kind.slotTypeSource), readOnly: \($0.isLet), layout: \($0.layoutName))"
        }
        let list = specs.isEmpty ? "[]" : "[\n        " + specs.joined(separator: ",\n        ") + ",\n    ]"
        return """
            /// The class this type defines in each space, registered on first use.
            \(a)static let __slotted_registration = Slotted._SlotClassRegistration(
                name: \(stringLiteral(typeName)),
                base: \(model.base.map { "\($0).__slotted_registration" } ?? "nil"),
                fields: \(list),
                layoutEnd: __slotted_layoutEnd
            )

            /// The class in the space used last, for the initializers: a constant word the
            /// compiler initializes statically (no lazy-initialization check per construction).
            \(a)static let __slotted_cache = Slotted._SlotClassCache(0)
            """
    }

    func stringLiteral(_ s: String) -> String { "\"\(s)\"" }

    // MARK: Initializers

    /// The parameter list of the keyword initializer: `base:` first for a derived class, then
    /// every field with its default; `borrowing` parameters for the initializer itself, so
    /// that the caller passes a string or a `Value` without a retain and a release.
    func parameters(borrowing: Bool = false) -> [String] {
        let convention = borrowing ? "borrowing " : ""
        var params: [String] = []
        if let base = model.base { params.append("base: \(convention)\(base).Fields") }
        for f in fields {
            var p = "\(f.ident): \(convention)\(f.typeText)"
            if let d = f.defaultValue { p += " = \(d.trimmedDescription)" } else if f.optional { p += " = nil" }
            params.append(p)
        }
        return params
    }

    func storeCall(_ f: Field, _ value: String) -> String {
        "try instance._slottedInitialize\(f.isView ? "View" : "")(\(value), Self.\(f.layoutName))"
    }

    func initializers() -> [String] {
        var out: [String] = []
        var stores: [String] = []
        if let base = model.base { stores.append("try \(base).__slotted_initialize(instance, base)") }
        stores += fields.map { storeCall($0, $0.ident) }
        let lets = fields.filter(\.isLet).map { "self.\($0.ident) = copy \($0.ident)" }
        out.append("""
            /// Constructs a new instance in `space`, registering the class there on first use.
            ///
            /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
            ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
            \(a)init(in space: borrowing Slotted.ObjectSpace\(parameters(borrowing: true).map { ", " + $0 }.joined())) throws {
                let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                do {\(body(stores, 2))
                } catch {
                    instance._slottedDiscard()
                    throw error
                }
                self.instance = instance\(body(lets))
            }
            """)
        let fieldLets = fields.filter(\.isLet).map { "self.\($0.ident) = fields.\($0.ident)" }
        out.append("""
            /// Constructs a new instance in `space` from a snapshot of field values.
            \(a)init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                do {
                    try Self.__slotted_initialize(instance, fields)
                } catch {
                    instance._slottedDiscard()
                    throw error
                }
                self.instance = instance\(body(fieldLets))
            }
            """)
        var checks: [String] = ["try Self.__slotted_registration._check(instance)"]
        if let base = model.base { checks.append("_ = try \(base)(instance)") }
        for f in fields where f.isLet && !f.optional {
            checks.append("try instance._slottedRequire(Self.\(f.layoutName), \(stringLiteral(f.name)))")
        }
        out.append("""
            /// A view of an existing instance of this class or a subclass (for example one made
            /// through the dynamic API).
            ///
            /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
            ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
            \(a)init(_ instance: Slotted.Instance) throws {\(body(checks))
                self.init(__slotted_unchecked: instance)
            }
            """)
        let loads = fields.filter(\.isLet).map {
            let suffix = ($0.optional ? "Optional" : "") + ($0.isView ? "View" : "")
            return "self.\($0.ident) = instance._slottedGet\(suffix)(Self.\($0.layoutName), \(stringLiteral($0.name)))"
        }
        out.append("""
            \(model.inlinable)\(a)init(__slotted_unchecked instance: Slotted.Instance) {
                self.instance = instance\(body(loads))
            }
            """)
        return out
    }

    // MARK: Fields

    func fieldsStruct() -> String {
        var conformances = ["Sendable"]
        if model.options.equatable { conformances.append("Equatable") }
        if model.options.hashable { conformances.append("Hashable") }
        if model.options.codable { conformances.append("Codable") }
        var parts: [String] = []
        if let base = model.base { parts.append("\(a)var base: \(base).Fields") }
        for f in fields { parts.append("\(a)var \(f.ident): \(f.typeText)") }
        var assigns: [String] = []
        if model.base != nil { assigns.append("self.base = base") }
        assigns += fields.map { "self.\($0.ident) = \($0.ident)" }
        parts.append("""

            \(a)init(\(parameters().joined(separator: ", "))) {\(body(assigns))
            }
            """)
        if model.options.codable { parts.append(codableFields()) }
        return """
            /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
            /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
            \(a)struct Fields: \(conformances.joined(separator: ", ")) {
            \(parts.map { indent($0) }.joined(separator: "\n"))
            }
            """
    }

    /// Lines indented by `level` steps of four spaces, each on its own line after a newline;
    /// nothing for no lines (so templates get no blank lines).
    func body(_ lines: [String], _ level: Int = 1) -> String {
        let pad = String(repeating: " ", count: 4 * level)
        return lines.map { "\n" + pad + $0 }.joined()
    }

    func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    func codableFields() -> String {
        var decode: [String] = []
        var encode: [String] = []
        if model.base != nil {
            decode.append("self.base = try .init(from: decoder)")
            encode.append("try base.encode(to: encoder)")
        }
        if !fields.isEmpty {
            decode.append("let container = try decoder.container(keyedBy: CodingKeys.self)")
            encode.append("var container = encoder.container(keyedBy: CodingKeys.self)")
        }
        for f in fields {
            let key = ".\(f.ident)"
            let isValue = f.kind == .any
            let codedType = isValue ? "Slotted._SlottedCodedValue" : f.wrappedTypeText
            let unwrap = isValue ? (f.optional ? "?.value" : ".value") : ""
            if f.optional || f.defaultValue != nil {
                var expr = "try container.decodeIfPresent(\(codedType).self, forKey: \(key))\(unwrap)"
                if let d = f.defaultValue, !f.optional { expr += " ?? \(d.trimmedDescription)" }
                else if let d = f.defaultValue { expr = "(\(expr)) ?? \(d.trimmedDescription)" }
                decode.append("self.\(f.ident) = \(expr)")
            } else {
                decode.append("self.\(f.ident) = try container.decode(\(codedType).self, forKey: \(key))\(unwrap)")
            }
            if isValue {
                if f.optional {
                    encode.append("try container.encodeIfPresent(\(f.ident).map(Slotted._SlottedCodedValue.init), forKey: \(key))")
                } else {
                    encode.append("try container.encode(Slotted._SlottedCodedValue(\(f.ident)), forKey: \(key))")
                }
            } else {
                encode.append("try container.\(f.optional ? "encodeIfPresent" : "encode")(\(f.ident), forKey: \(key))")
            }
        }
        var out: [String] = []
        if !fields.isEmpty {
            out.append("""

                \(a)enum CodingKeys: String, CodingKey {
                \(fields.map { "    case \($0.ident)" }.joined(separator: "\n"))
                }
                """)
        }
        out.append("""

            \(a)init(from decoder: any Decoder) throws {\(body(decode))
            }

            \(a)func encode(to encoder: any Encoder) throws {\(body(encode))
            }
            """)
        return out.joined(separator: "\n")
    }

    func fieldsSnapshot() -> String {
        var args: [String] = []
        if model.base != nil { args.append("base: base.fields") }
        args += fields.map { "\($0.ident): \($0.ident)" }
        return """
            /// The current field values.
            \(a)var fields: Fields {
                Fields(\(args.joined(separator: ", ")))
            }
            """
    }

    func initializeHelper() -> String {
        var stores: [String] = []
        if let base = model.base { stores.append("try \(base).__slotted_initialize(instance, fields.base)") }
        stores += fields.map { storeCall($0, "fields.\($0.ident)") }
        return """
            \(a)static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {\(body(stores))
            }
            """
    }

    // MARK: copy, replacing

    func copyMember() -> String {
        """
        /// `copy.copy`: a new instance of the same class with the same field values (fields of
        /// @SlotClass types keep referring to the same instances).
        \(a)func copy() throws -> Self {
            Self(__slotted_unchecked: try instance._slottedCopy())
        }
        """
    }

    func replacingMembers() -> [String] {
        var out: [String] = []
        if !fields.isEmpty {
            let params = fields.map { "\($0.ident): \($0.typeText)? = nil" }
            let changes = fields.map { "if let \($0.ident) { fields.\($0.ident) = \($0.ident) }" }
            out.append("""
                /// `dataclasses.replace`: a new instance with the given fields changed, `let`
                /// fields included. An omitted argument keeps the field; to unset an optional
                /// field, pass `.some(nil)` or use `replacing(_:)`.
                \(a)func replacing(\(params.joined(separator: ", "))) throws -> Self {
                    var fields = self.fields\(body(changes))
                    return try Self(in: instance._slottedSpace, fields: fields)
                }
                """)
        }
        out.append("""
            /// `attrs.evolve` with a closure: a new instance built from the changed field values.
            \(a)func replacing(_ changes: (inout Fields) throws -> Void) throws -> Self {
                var fields = self.fields
                try changes(&fields)
                return try Self(in: instance._slottedSpace, fields: fields)
            }
            """)
        return out
    }

    // MARK: Conformance helpers

    func describeHelper() -> String {
        var lines: [String] = []
        if model.base != nil { lines.append("base.__slotted_describe(into: &parts)") }
        lines += fields.map { "parts.append(\(stringLiteral($0.name + "=")) + Slotted._slottedRepr(\($0.ident)))" }
        return """
            \(a)func __slotted_describe(into parts: inout [String]) {\(body(lines))
            }
            """
    }

    func equalHelper() -> String {
        var terms: [String] = []
        if model.base != nil { terms.append("base.__slotted_equal(other.base)") }
        terms += fields.map { "\($0.ident) == other.\($0.ident)" }
        if terms.isEmpty { terms = ["true"] }
        return """
            \(a)func __slotted_equal(_ other: Self) -> Bool {
                \(terms.joined(separator: "\n        && "))
            }
            """
    }

    func hashHelper() -> String {
        var lines: [String] = []
        if model.base != nil { lines.append("base.__slotted_hash(into: &hasher)") }
        lines += fields.map { "hasher.combine(\($0.ident))" }
        return """
            \(a)func __slotted_hash(into hasher: inout Hasher) {\(body(lines))
            }
            """
    }
}
