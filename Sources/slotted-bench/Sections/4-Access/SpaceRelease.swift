//===----------------------------------------------------------------------===//
//
// SpaceRelease.swift: section 4's last line: dropping a whole object space
// against dropping as many native objects.
//
//===----------------------------------------------------------------------===//

import Slotted

/// Dropping a whole object space against dropping as many native objects.
struct SpaceRelease: Codable {
    var instances: Int
    /// Time of `space = nil` once every handle and class object is gone.
    var spaceNs: Double
    /// Time of dropping a `ContiguousArray` of as many `NativeEvent` objects.
    var nativeArrayNs: Double
    /// Whether the space was uniquely referenced when dropped, i.e. its deinit
    /// really ran inside the timed region.
    var spaceWasUniquelyReferenced: Bool
}

extension AccessBenchmark {
    /// Builds `releaseCount` typed instances, drops every handle and the class
    /// object (untimed), then times dropping the space itself; the baseline
    /// drops an array of as many native objects.
    func measureSpaceRelease() throws -> SpaceRelease {
        let total = releaseCount
        Progress.note("access: releasing a space of \(total.grouped) instances")
        var space: ObjectSpace? = ObjectSpace()
        do {
            let eventSlots = try EventClassDefinitions.typedSlots(in: space!)
            var handles = ContiguousArray<Instance>()
            handles.reserveCapacity(total)
            for i in 0..<total {
                handles.append(try eventSlots(.int(i), "click", .double(Double(i) * 1.5)))
            }
        }
        let unique = isKnownUniquelyReferenced(&space!)
        let spaceStart = ContinuousClock.now
        space = nil
        let spaceElapsed = nanoseconds(since: spaceStart)

        var objects = ContiguousArray<NativeEvent>()
        objects.reserveCapacity(total)
        for i in 0..<total {
            objects.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
        }
        let nativeStart = ContinuousClock.now
        objects = []
        let nativeElapsed = nanoseconds(since: nativeStart)
        withExtendedLifetime(objects) {}

        return SpaceRelease(
            instances: total, spaceNs: spaceElapsed, nativeArrayNs: nativeElapsed,
            spaceWasUniquelyReferenced: unique)
    }
}
