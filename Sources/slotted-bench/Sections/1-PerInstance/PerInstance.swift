//===----------------------------------------------------------------------===//
//
// PerInstance.swift: the article's first program, one object of each class.
//
//===----------------------------------------------------------------------===//

import Slotted

/// What one `PointDict` and one `PointSlots` cost, and how a slotted class
/// refuses an undeclared attribute.
struct PerInstanceFigures: Codable {
    /// `space.sizeof` of `PointDict(x: 1.0, y: 2.0)`: its cell plus its dict.
    var pointDictBytes: Int
    /// The cell alone of a `PointDict` instance (`instanceSize` of the class), without room
    /// for values.
    var pointDictCellBytes: Int
    /// Where the shaped `PointDict` keeps its dictionary (`shapeDescription()`).
    var pointDictShape: String
    /// `space.sizeof` of a `PointDict` in dictionary mode (after `del p.x; p.x = 1.0`).
    var pointDictTableBytes: Int
    /// `space.sizeof` of `PointSlots(1.0, 2.0)`.
    var pointSlotsBytes: Int
    var pointDictHasDict: Bool
    var pointSlotsHasDict: Bool
    /// What setting `z` on the slotted point says.
    var attributeError: String
    /// `instanceSize` of the typed `EventSlots` class.
    var eventSlotsInstanceSize: Int
    /// `instanceSize` of the untyped `EventSlots` class.
    var untypedEventSlotsInstanceSize: Int
    /// The layout of the typed `EventSlots` class, as the library prints it.
    var eventSlotsLayout: String
}

/// Runs the article's first program against Slotted.
func measurePerInstance() throws -> PerInstanceFigures {
    let space = ObjectSpace()
    let pointDict = try space.defineClass("PointDict")
    let pointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
    let pDict = try pointDict(x: 1.0, y: 2.0)
    let pSlots = try pointSlots(1.0, 2.0)
    let pTable = try pointDict(x: 1.0, y: 2.0)
    try pTable.delete("x")
    try pTable.set("x", 1.0)

    var message = "(no error: the assignment succeeded)"
    do {
        try pSlots.set("z", 3.0)
    } catch {
        message = String(describing: error)
    }

    let eventSlots = try space.defineClass(
        "EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
    let untypedEventSlots = try space.defineClass("EventSlotsUntyped", slots: ["ts", "kind", "value"])

    return PerInstanceFigures(
        pointDictBytes: space.sizeof(pDict),
        pointDictCellBytes: pointDict.instanceSize,
        pointDictShape: try pDict.shapeDescription(),
        pointDictTableBytes: space.sizeof(pTable),
        pointSlotsBytes: space.sizeof(pSlots),
        pointDictHasDict: pDict.hasDict,
        pointSlotsHasDict: pSlots.hasDict,
        attributeError: message,
        eventSlotsInstanceSize: eventSlots.instanceSize,
        untypedEventSlotsInstanceSize: untypedEventSlots.instanceSize,
        eventSlotsLayout: eventSlots.layoutDescription
    )
}
