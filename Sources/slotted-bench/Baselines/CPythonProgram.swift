//===----------------------------------------------------------------------===//
//
// CPythonProgram.swift: the article's two programs, run by CPython beside the
// Swift figures.
//
//===----------------------------------------------------------------------===//

/// The Python source `slotted-bench` runs with `python3 -c SOURCE N RUNS`.
///
/// The first two parts are the article's programs as printed there (its
/// `print`s replaced by one JSON object on stdout); the third times attribute
/// access with `timeit`, reporting the median of RUNS repeats per statement.
let cpythonProgram = #"""
import json, platform, statistics, sys, timeit, tracemalloc

N = int(sys.argv[1])
RUNS = int(sys.argv[2])
out = {
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "executable": sys.executable,
    "n": N,
}

# --- The article's first program: one object of each class ---
class PointDict:
    def __init__(self, x, y):
        self.x = x
        self.y = y

class PointSlots:
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x = x
        self.y = y

p_dict = PointDict(1.0, 2.0)
p_slots = PointSlots(1.0, 2.0)
out["point_dict_bytes"] = sys.getsizeof(p_dict)
out["point_dict_dict_bytes"] = sys.getsizeof(p_dict.__dict__)
out["point_slots_bytes"] = sys.getsizeof(p_slots)
out["point_dict_has_dict"] = hasattr(p_dict, '__dict__')
out["point_slots_has_dict"] = hasattr(p_slots, '__dict__')
try:
    p_slots.z = 3.0
    out["attribute_error"] = "(no error: the assignment succeeded)"
except AttributeError as e:
    out["attribute_error"] = str(e)

# --- The article's second program: memory at scale ---
class EventDict:
    def __init__(self, ts, kind, value):
        self.ts = ts; self.kind = kind; self.value = value

class EventSlots:
    __slots__ = ('ts', 'kind', 'value')
    def __init__(self, ts, kind, value):
        self.ts = ts; self.kind = kind; self.value = value

tracemalloc.start()
events_dict = [EventDict(i, 'click', i * 1.5) for i in range(N)]
_, peak_dict = tracemalloc.get_traced_memory()
tracemalloc.stop()

tracemalloc.start()
events_slots = [EventSlots(i, 'click', i * 1.5) for i in range(N)]
_, peak_slots = tracemalloc.get_traced_memory()
tracemalloc.stop()
del events_dict, events_slots

out["dict_peak_bytes"] = peak_dict
out["slots_peak_bytes"] = peak_slots
out["saving_percent"] = (1 - peak_slots / peak_dict) * 100

# --- Attribute access with timeit: median of RUNS repeats, ns per statement ---
def ns_per_op(stmt, p):
    timer = timeit.Timer(stmt, globals={"p": p, "EventDict": EventDict, "EventSlots": EventSlots})
    number = 1000
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= 0.005:
            break
        number *= 4
    number = max(1, int(number * 0.03 / elapsed))
    samples = timer.repeat(repeat=RUNS, number=number)
    return statistics.median(samples) / number * 1e9

out["slots_attr_read_ns"] = ns_per_op("p.x", p_slots)
out["dict_attr_read_ns"] = ns_per_op("p.x", p_dict)
out["slots_getattr_ns"] = ns_per_op("getattr(p, 'x')", p_slots)
out["dict_getattr_ns"] = ns_per_op("getattr(p, 'x')", p_dict)
out["slots_attr_write_ns"] = ns_per_op("p.x = 3.0", p_slots)
out["slots_setattr_ns"] = ns_per_op("setattr(p, 'x', 3.0)", p_slots)
out["dict_setattr_ns"] = ns_per_op("setattr(p, 'x', 3.0)", p_dict)
out["construct_slots_ns"] = ns_per_op("EventSlots(1, 'click', 1.5)", None)
out["construct_dict_ns"] = ns_per_op("EventDict(1, 'click', 1.5)", None)
out["loop_overhead_ns"] = ns_per_op("pass", None)

print(json.dumps(out))
"""#
