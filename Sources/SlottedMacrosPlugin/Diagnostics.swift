import SwiftDiagnostics
import SwiftSyntax

/// Everything `@SlotClass` reports at compile time.
enum SlotClassDiagnostic: DiagnosticMessage {
    case notAStruct(kind: String)
    case generic
    case noFields(type: String)
    case unsupportedType(field: String, type: String, reason: String)
    case missingType(field: String)
    case staticProperty(name: String, type: String)
    case duplicateField(name: String)
    case reservedName(name: String)
    case mangledName(name: String)
    case multipleBindings
    case notAnIdentifier
    case lazyField(name: String)
    case propertyWrapper(name: String)
    case observers(name: String)
    case letWithDefault(name: String)
    case badArgument(label: String)
    case badBase
    case hashableWithoutEquatable

    var message: String {
        switch self {
        case .notAStruct(let kind):
            "@SlotClass can only be applied to a struct, not to \(kind): the struct is a typed view over a slotted instance"
        case .generic:
            "@SlotClass does not support generic structs: every field needs a slot type known at compile time"
        case .noFields(let type):
            "@SlotClass struct '\(type)' has no stored properties: declare its fields as stored 'var' or 'let' properties (computed properties are not slots)"
        case .unsupportedType(let field, let type, let reason):
            "field '\(field)' has type '\(type)', which a slot cannot store\(reason.isEmpty ? "" : " (\(reason))"); supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them"
        case .missingType(let field):
            "field '\(field)' needs an explicit type annotation: @SlotClass lays the slots out from the declared types"
        case .staticProperty(let name, let type):
            "static property '\(name)' is not a slot: it stays an ordinary static property of '\(type)', shared by every instance and invisible to the dynamic API"
        case .duplicateField(let name):
            "duplicate field '\(name)': each slot name may appear once"
        case .reservedName(let name):
            "field name '\(name)' is reserved: @SlotClass generates a member with this name"
        case .mangledName(let name):
            "field name '\(name)' starts with '__': Python mangles such private names in __slots__; choose a name without the double underscore"
        case .multipleBindings:
            "@SlotClass needs one field per declaration: write each 'var' or 'let' on its own"
        case .notAnIdentifier:
            "@SlotClass fields must be simple names, not tuple patterns"
        case .lazyField(let name):
            "field '\(name)' is 'lazy': a slot has no lazy initializer; make it an Optional or give it a default"
        case .propertyWrapper(let name):
            "field '\(name)' has a property wrapper: slot fields cannot be wrapped"
        case .observers(let name):
            "field '\(name)' has willSet/didSet observers: a slot field is a plain stored property (write the reaction in a method instead)"
        case .letWithDefault(let name):
            "'let' field '\(name)' has an initial value, so the initializer could never set it: remove the value (pass it when constructing) or declare the field 'var'"
        case .badArgument(let label):
            "@SlotClass argument '\(label)' must be a Boolean literal ('true' or 'false')"
        case .badBase:
            "@SlotClass(base:) expects a @SlotClass type as 'TypeName.self'"
        case .hashableWithoutEquatable:
            "@SlotClass(equatable: false, hashable: true) is contradictory: Hashable requires Equatable"
        }
    }

    var diagnosticID: MessageID {
        let id: String = switch self {
        case .notAStruct: "notAStruct"
        case .generic: "generic"
        case .noFields: "noFields"
        case .unsupportedType: "unsupportedType"
        case .missingType: "missingType"
        case .staticProperty: "staticProperty"
        case .duplicateField: "duplicateField"
        case .reservedName: "reservedName"
        case .mangledName: "mangledName"
        case .multipleBindings: "multipleBindings"
        case .notAnIdentifier: "notAnIdentifier"
        case .lazyField: "lazyField"
        case .propertyWrapper: "propertyWrapper"
        case .observers: "observers"
        case .letWithDefault: "letWithDefault"
        case .badArgument: "badArgument"
        case .badBase: "badBase"
        case .hashableWithoutEquatable: "hashableWithoutEquatable"
        }
        return MessageID(domain: "SlottedMacros", id: id)
    }

    var severity: DiagnosticSeverity {
        if case .staticProperty = self { return .note }
        return .error
    }
}
