//===----------------------------------------------------------------------===//
//
// TypedSlotRows.swift: section 4's typed-slot rows: `e[value]` reads and
// writes against native properties, and the price of the header check.
//
//===----------------------------------------------------------------------===//

import Slotted

extension AccessBenchmark {
    /// The typed-slot rows: reads (with and without the header check) and writes,
    /// sequential and in a fixed shuffled order.
    struct TypedSlotFigures {
        var readSequential, readRandom: Comparison
        var checkSequential, checkRandom: Comparison
        var writeSequential, writeRandom: Comparison
    }

    /// Times the typed loops over the working set, each beside its native loop; `order`
    /// is the shuffled order of the random rows, `passes` the passes per sample.
    func measureTypedSlots(
        _ events: ContiguousArray<Instance>, _ natives: ContiguousArray<NativeEvent>,
        _ mutables: ContiguousArray<NativeMutableEvent>, _ valueSlot: SlotAccessor<Double>,
        order: ContiguousArray<Int>, passes: Int
    ) -> TypedSlotFigures {
        Progress.note("access: typed reads and writes, \(runs) runs")
        let readSeq = interleave(
            { Self.typedRead(events, valueSlot, passes: passes) },
            { Self.nativeRead(natives, passes: passes) })
        let readRandom = measureRandomRead(events, natives, valueSlot, order: order, passes: passes)
        let checkSeq = interleave(
            { Self.typedRead(events, valueSlot, passes: passes) },
            { Self.uncheckedRead(events, valueSlot.offset, passes: passes) })
        let checkRandom = interleave(
            { Self.typedRead(events, valueSlot, order: order, passes: passes) },
            { Self.uncheckedRead(events, valueSlot.offset, order: order, passes: passes) })
        let writeSeq = interleave(
            { Self.typedWrite(events, valueSlot, passes: passes) },
            { Self.nativeWrite(mutables, passes: passes) })
        let writeRandom = interleave(
            { Self.typedWrite(events, valueSlot, order: order, passes: passes) },
            { Self.nativeWrite(mutables, order: order, passes: passes) })
        return TypedSlotFigures(
            readSequential: readSeq, readRandom: readRandom, checkSequential: checkSeq,
            checkRandom: checkRandom, writeSequential: writeSeq, writeRandom: writeRandom)
    }

    /// The random typed read beside the native random read, interleaved. Section 4 takes it
    /// three times, spread over the section, and reports the one whose ratio is the median:
    /// of all its rows, a loop of dependent loads in a random order is the one other load on
    /// a shared machine slows most, and by a different factor on each side.
    func measureRandomRead(
        _ events: ContiguousArray<Instance>, _ natives: ContiguousArray<NativeEvent>,
        _ valueSlot: SlotAccessor<Double>, order: ContiguousArray<Int>, passes: Int
    ) -> Comparison {
        interleave(
            { Self.typedRead(events, valueSlot, order: order, passes: passes) },
            { Self.nativeRead(natives, order: order, passes: passes) })
    }

    /// A sequential typed read (also the baseline of the site rows).
    @inline(never)
    static func typedRead(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count {
                accumulator &+= events[i][slot].bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    /// The typed read without its header check: the same offset load through the cell's
    /// address (a package-internal hook), to price the check.
    @inline(never)
    private static func uncheckedRead(_ events: ContiguousArray<Instance>, _ offset: Int, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count {
                accumulator &+= events[i]._cellAddress.load(fromByteOffset: offset, as: UInt64.self)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func uncheckedRead(
        _ events: ContiguousArray<Instance>, _ offset: Int, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= events[i]._cellAddress.load(fromByteOffset: offset, as: UInt64.self)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeRead(_ objects: ContiguousArray<NativeEvent>, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<objects.count {
                accumulator &+= objects[i].value.bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * objects.count)
    }

    @inline(never)
    private static func typedRead(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>,
        order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= events[i][slot].bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeRead(
        _ objects: ContiguousArray<NativeEvent>, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= objects[i].value.bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    /// A sequential typed write (also the baseline of the site rows).
    @inline(never)
    static func typedWrite(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in 0..<events.count {
                events[i][slot] = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(events[events.count / 2][slot])
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func nativeWrite(_ objects: ContiguousArray<NativeMutableEvent>, passes: Int) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in 0..<objects.count {
                objects[i].value = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(objects[objects.count / 2].value)
        return elapsed / Double(passes * objects.count)
    }

    @inline(never)
    private static func typedWrite(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>,
        order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in order {
                events[i][slot] = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(events[events.count / 2][slot])
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeWrite(
        _ objects: ContiguousArray<NativeMutableEvent>, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in order {
                objects[i].value = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(objects[objects.count / 2].value)
        return elapsed / Double(passes * order.count)
    }
}
