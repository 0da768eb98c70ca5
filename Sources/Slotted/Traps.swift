// How Slotted stops the program on a misuse Swift itself would trap on (a stale typed
// handle, a double free, an accessor applied to the wrong class).
//
// `precondition` and `preconditionFailure` drop their message in optimized builds (the
// process dies with "Illegal instruction" and nothing on stderr); `fatalError` prints its
// message in every build but -Ounchecked. Every Slotted trap goes through these two
// functions, so a release binary says what went wrong. The message is built only once the
// check has failed, in a function that is never inlined: the checked paths keep one
// compare and one branch.

/// Stops the program with `Slotted: <message>` on stderr, in debug and release builds alike.
///
/// `message` is the text without the `Slotted: ` prefix, which this adds.
@usableFromInline @inline(never)
func _slottedTrap(_ message: @autoclosure () -> String) -> Never {
    fatalError("Slotted: \(message())")
}

/// Stops the program with `Slotted: <message>` unless `condition` holds: `precondition`
/// with a message that optimized builds keep.
@inlinable @inline(__always)
func _slottedCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if _slowPath(!condition) { _slottedTrap(message()) }
}
