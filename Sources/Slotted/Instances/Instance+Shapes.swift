extension Instance {
    /// A dictionary read by name within a validated read: through the shape when the
    /// dictionary has one (no lock, no hashing), through the hash table in dictionary mode.
    @inline(__always)
    static func peekDict(_ info: ClassInfo, _ read: inout ValidatedRead, _ name: String) throws -> Value? {
        if info.shapes != nil { return try ShapedDict.peekGet(&read, info, name) }
        guard let (id, check) = info.space.nameIDForRead(name) else { return nil }
        return try InstanceDict.peekGet(&read, info.dictOffset, id, names: check)
    }

    /// Where the instance keeps its `__dict__`:
    /// `PointDict shape 2: x at 16 (double), y at 24 (double), inline 16 of 16 bytes` for a
    /// shaped dictionary whose values sit in the cell (offsets from the cell's start, and how
    /// each value is kept: `double`, `int` and `string` raw in 8 bytes, `any` untyped in 16),
    /// `… in a block of 64 bytes` when they outgrew it, `PointDict dictionary mode` for a per-instance hash table, and
    /// `PointSlots has no __dict__` for an instance without one.
    ///
    /// - Throws: ``ReferenceError`` for a stale handle.
    public func shapeDescription() throws -> String {
        try withValidatedRead { info, read in
            guard info.dictOffset >= 0 else { return "\(info.name) has no __dict__" }
            guard info.shapes != nil else { return "\(info.name) dictionary mode" }
            return try ShapedDict.describe(&read, info)
        }
    }

    /// Moves the instance's dictionary into dictionary mode (a per-instance hash table), as
    /// a delete of an attribute other than the last-added one does. For tests.
    package func _forceDictionaryMode() throws {
        try withWriteLock { info, cell, _ in
            guard info.shapes != nil else { return }
            try ShapedDict.toTable(info, cell)
            if InstanceDict.table(cell, info.dictOffset) == nil {
                _ = try InstanceDict.rehash(cell, info.dictOffset, InstanceDict.firstCapacity, space: info.space)
            }
        }
    }

    /// The instance's dictionary word (ShapedDict.swift), 0 without a dictionary. For tests.
    package var _dictionaryWord: UInt64 {
        guard let (info, cell) = try? resolve(), info.dictOffset >= 0 else { return 0 }
        return cell.load(info.dictOffset, as: UInt64.self)
    }

    /// The byte offset, in its dictionary-mode table, of the entry that holds `name`; nil
    /// when the instance is not in dictionary mode or the table lacks the name. For tests.
    package func _tableEntry(of name: String) -> Int? {
        guard let (info, cell) = try? resolve(), info.dictOffset >= 0,
              let t = InstanceDict.table(cell, info.dictOffset), let id = info.space.nameID(name)
        else { return nil }
        return InstanceDict.find(t, id)
    }

    /// The shape number the instance's header names (ShapedDict.swift's shape tag), 0 when it
    /// names none; nil for a class without the tag. For tests.
    package var _headerShapeTag: Int? {
        guard let (info, cell) = try? resolve(), info.shapeTags else { return nil }
        return Int(truncatingIfNeeded: (cell.header & ShapeTag.mask) >> ShapeTag.shift)
    }

    /// Whether the instance's dictionary is in dictionary mode. For tests.
    package var _isInDictionaryMode: Bool { _dictionaryWord & DictWord.modeMask == DictWord.table }
}

extension ObjectSpace {
    /// Shapes of the space's classes (each class with a `__dict__` has at least its empty
    /// root) and the transitions between them.
    var shapeCounts: (shapes: Int, transitions: Int) {
        state.withLock { $0.classes }.reduce(into: (0, 0)) { total, info in
            if let tree = info.shapes {
                total.0 += tree.shapeCount
                total.1 += tree.transitionCount
            }
        }
    }
}
