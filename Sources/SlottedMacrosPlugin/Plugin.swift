import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin behind `SlottedMacros`.
@main
struct SlottedMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [SlotClassMacro.self, SlotFieldMacro.self]
}
