"""Time windows at minute resolution, and the merging of time slots into blocks.

Every window (a need's dwell window, a site's availability, the off-peak window) is held as a
mask of the 1,440 minutes of a day, so the time a need may charge at a site in a slot is the
exact overlap of the windows, also where a window starts in the middle of a slot.

**Blocks.** Consecutive slots in which every window covers the same minutes of the slot and
the binding grid headroom is the same are merged into one block (the day is a circle: the
last slots merge with the first ones).  Within a block every constraint of the model is the
same in each slot, so one power variable per need, site and block (the power in each of its
slots) loses nothing: any plan with different powers in the block's slots can be replaced by
their average at no cost.  A case with no time structure (all windows all day, no binding
grid) has a single block of 24 hours.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from validation.timeofday import MINUTES_PER_DAY, parse_hhmm

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@lru_cache(maxsize=4096)
def minute_mask(start: str, end: str) -> BoolArray:
    """Minutes of the day inside a window ``[start, end)`` (HH:MM; wraps; equal = all day).

    Examples
    --------
    >>> mask = minute_mask("22:00", "07:00")
    >>> int(mask.sum()), bool(mask[0]), bool(mask[7 * 60]), bool(mask[22 * 60])
    (540, True, False, True)
    """
    a = parse_hhmm(start) % MINUTES_PER_DAY
    b = parse_hhmm(end) % MINUTES_PER_DAY
    minutes = np.arange(MINUTES_PER_DAY)
    if a == b:
        mask = np.ones(MINUTES_PER_DAY, dtype=bool)
    elif a < b:
        mask = (minutes >= a) & (minutes < b)
    else:
        mask = (minutes >= a) | (minutes < b)
    mask.setflags(write=False)
    return mask


def slot_share(mask: BoolArray, slot_minutes: int) -> FloatArray:
    """Share (0–1) of each slot covered by a minute mask.

    Examples
    --------
    >>> slot_share(minute_mask("09:00", "18:00"), 720).tolist()
    [0.25, 0.5]
    """
    share: FloatArray = mask.reshape(-1, slot_minutes).mean(axis=1)
    return share


def slot_labels(slot_minutes: int) -> list[str]:
    """Start (HH:MM) of every slot of the day.

    Examples
    --------
    >>> slot_labels(480)
    ['00:00', '08:00', '16:00']
    """
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, MINUTES_PER_DAY, slot_minutes)]


@dataclass(frozen=True)
class Blocks:
    """Slots merged into blocks.

    Attributes
    ----------
    slot_minutes
        Length of a slot, minutes.
    slots
        The slots of each block, in time order (a block may wrap midnight).
    """

    slot_minutes: int
    slots: tuple[tuple[int, ...], ...]

    @property
    def count(self) -> int:
        """Number of blocks."""
        return len(self.slots)

    @property
    def hours(self) -> FloatArray:
        """Length of each block, hours."""
        return np.array([len(s) * self.slot_minutes / 60 for s in self.slots], dtype=np.float64)

    @property
    def first_slot(self) -> list[int]:
        """The first slot of each block (the block's label in constraint names)."""
        return [s[0] for s in self.slots]

    def block_of_slot(self) -> npt.NDArray[np.intp]:
        """Block index of every slot of the day."""
        result = np.zeros(sum(len(s) for s in self.slots), dtype=np.intp)
        for block, slots in enumerate(self.slots):
            result[list(slots)] = block
        return result


def make_blocks(signatures: Sequence[Hashable], slot_minutes: int) -> Blocks:
    """Merge consecutive slots with equal signatures, also across midnight.

    Parameters
    ----------
    signatures
        One hashable signature per slot of the day.
    slot_minutes
        Slot length, minutes.

    Examples
    --------
    >>> make_blocks(["n", "n", "d", "d", "n"], 288).slots
    ((2, 3), (4, 0, 1))
    >>> make_blocks(["x"] * 3, 480).slots
    ((0, 1, 2),)
    """
    runs: list[list[int]] = []
    for slot, signature in enumerate(signatures):
        if runs and signatures[runs[-1][-1]] == signature:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    if len(runs) > 1 and signatures[0] == signatures[-1]:
        runs = [*runs[1:-1], runs[-1] + runs[0]]
    return Blocks(slot_minutes, tuple(tuple(run) for run in runs))


def slot_signatures(
    masks: Iterable[BoolArray], binding_headroom: FloatArray, slot_minutes: int
) -> list[Hashable]:
    """Signature of every slot: the minutes each window covers in it and the binding headroom.

    Parameters
    ----------
    masks
        The distinct minute masks that matter (need windows, site windows, off-peak).
    binding_headroom
        Headroom per (node, slot) where it can bind, NaN elsewhere, kVA.
    slot_minutes
        Slot length, minutes.
    """
    n_slots = MINUTES_PER_DAY // slot_minutes
    parts = [np.packbits(mask.reshape(n_slots, slot_minutes), axis=1) for mask in masks]
    window_bytes = np.concatenate(parts, axis=1) if parts else np.zeros((n_slots, 0), np.uint8)
    headroom = np.nan_to_num(np.asarray(binding_headroom, dtype=np.float64), nan=-1.0)
    headroom_t = headroom.T if headroom.size else np.zeros((n_slots, 0))
    return [
        (window_bytes[slot].tobytes(), np.ascontiguousarray(headroom_t[slot]).tobytes())
        for slot in range(n_slots)
    ]


def describe_slots(slots: Iterable[int], slot_minutes: int) -> str:
    """Time spans of a set of slots, ``HH:MM-HH:MM`` separated by ``;``.

    A span may wrap midnight; the whole day is ``00:00-00:00``.

    Examples
    --------
    >>> describe_slots((22, 23, 0, 1), 60)
    '22:00-02:00'
    >>> describe_slots([8, 9, 10, 18, 19], 60)
    '08:00-11:00;18:00-20:00'
    """
    labels = slot_labels(slot_minutes)
    used = sorted(set(slots))
    if len(used) == len(labels):
        return "00:00-00:00"
    runs: list[list[int]] = []
    for slot in used:
        if runs and runs[-1][-1] == slot - 1:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == len(labels) - 1:
        runs = [runs[-1] + runs[0], *runs[1:-1]]
    return ";".join(f"{labels[r[0]]}-{labels[(r[-1] + 1) % len(labels)]}" for r in runs)
