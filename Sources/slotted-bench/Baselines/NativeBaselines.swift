//===----------------------------------------------------------------------===//
//
// NativeBaselines.swift: the plain Swift types every Slotted figure is set
// beside, and how their heap bytes are weighed.
//
//===----------------------------------------------------------------------===//

import CSlotArena

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The native counterpart of `EventSlots`: a final class with `let` properties.
final class NativeEvent {
    let ts: Int
    let kind: String
    let value: Double

    init(ts: Int, kind: String, value: Double) {
        self.ts = ts
        self.kind = kind
        self.value = value
    }
}

/// The native counterpart for write benchmarks: the same class with `var`
/// properties (a `let` cannot be written).
final class NativeMutableEvent {
    var ts: Int
    var kind: String
    var value: Double

    init(ts: Int, kind: String, value: Double) {
        self.ts = ts
        self.kind = kind
        self.value = value
    }
}

/// The three fields inline, for the `ContiguousArray` baseline: no object at
/// all, only `stride` bytes per element.
struct EventRecord {
    var ts: Int
    var kind: String
    var value: Double
}

/// The process heap, which Debian's jemalloc serves for the whole process when
/// the package links it (the default build): Swift objects come from it too.
enum ProcessHeap {
    /// jemalloc's process-wide `stats.allocated`, after this thread's cache is
    /// flushed so that cached free regions do not blur the count. 0 when the
    /// build does not use jemalloc.
    static func allocatedBytes() -> Int {
        flushThreadCache()
        return Int(slotarena_process_allocated_bytes())
    }

    /// Returns this thread's jemalloc cache to its arena (`thread.tcache.flush`),
    /// found at run time so that nothing fails without jemalloc.
    static func flushThreadCache() {
        #if canImport(Glibc)
        typealias Mallctl = @convention(c) (
            UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
            UnsafeMutableRawPointer?, Int
        ) -> Int32
        guard let symbol = dlsym(nil, "mallctl") else { return }
        let mallctl = unsafeBitCast(symbol, to: Mallctl.self)
        _ = mallctl("thread.tcache.flush", nil, nil, nil, 0)
        #endif
    }

    /// The bytes the allocator reserved for one object (its size class).
    static func usableSize(of object: AnyObject) -> Int {
        let pointer = Unmanaged.passUnretained(object).toOpaque()
        #if canImport(Glibc)
        typealias UsableSize = @convention(c) (UnsafeMutableRawPointer?) -> Int
        guard let symbol = dlsym(nil, "malloc_usable_size") else { return 0 }
        return unsafeBitCast(symbol, to: UsableSize.self)(pointer)
        #elseif canImport(Darwin)
        return malloc_size(pointer)
        #else
        return 0
        #endif
    }
}
