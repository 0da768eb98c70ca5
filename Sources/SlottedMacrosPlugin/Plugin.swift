import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin behind `SlottedMacros`.
@main
struct SlottedMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = SlottedMacrosPluginEntry.macros
}

/// The macros the plugin provides, in one place for the plugin and its tests.
public enum SlottedMacrosPluginEntry {
    public static let macros: [Macro.Type] = [SlotClassMacro.self, SlotFieldMacro.self]
}
