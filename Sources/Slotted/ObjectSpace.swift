internal import CSlotArena
