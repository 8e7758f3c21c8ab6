"""Action names of the tracking plan and the log_action table built from them."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from .catalogue import GAMES
from .payloads import matomo_escape

# log_action.type values.
PAGE_TITLE = 4
EVENT_CATEGORY = 10
EVENT_ACTION = 11

# Funnel stages in order, with the page title each kind of game sends at that stage.
STAGES = (
    "started", "introduction", "questions", "mid_introduction",
    "validation", "parent_poll", "rewards", "completed",
)
HYBRID_EVENT_NAMES = {
    "started": "hybrid_game_started",
    "introduction": "hybrid_game_introduction_completed",
    "questions": "hybrid_game_action_completed",
    "mid_introduction": "hybrid_game_mid_introduction",
    "validation": "hybrid_game_question_completed",
    "parent_poll": "hybrid_game_poll_completed",
    "rewards": "hybrid_game_reward_completed",
    "completed": "hybrid_game_completed",
}
MULTIPLE_CHOICE_EVENT_NAMES = {
    **HYBRID_EVENT_NAMES,
    "started": "mcq_started",
    "introduction": "introduction_completed",
    "completed": "mcq_completed",
}
EVENT_NAMES = tuple(sorted(set(HYBRID_EVENT_NAMES.values()) | set(MULTIPLE_CHOICE_EVENT_NAMES.values())))

# Page views that match no event rule.
PAGE_TITLES = ("Home", "Profile", "Parent's Corner", "Games & Rewards", "Settings")

# Share of action rows that use a second log_action row of the same name: Matomo writes such
# duplicates when concurrent tracking requests insert the same new name.
DUPLICATE_WEIGHT = 0.08
DUPLICATED_PAGE_TITLES = ("Home",)
# Stored names with surrounding whitespace, and the share of action rows that use them.
WHITESPACE_VARIANTS = {
    "hybrid_game_started": "hybrid_game_started ",
    "hybrid_game_completed": " hybrid_game_completed",
    "hybrid_game_question_completed": "hybrid_game_question_completed\t",
    "mcq_completed": "mcq_completed ",
}
WHITESPACE_WEIGHT = 0.02


@dataclass(frozen=True)
class ActionRow:
    """One log_action row."""

    idaction: int
    name: str
    type: int

    @property
    def hash(self) -> int:
        """CRC32 of the stored name, as Matomo fills log_action.hash."""
        return zlib.crc32(self.name.encode("utf-8"))


class ActionCatalogue:
    """The log_action table, with the ids of each page title and its stored variants.

    Ids are assigned in a seeded random order, so an id means a different name under another seed.
    """

    def __init__(self, rng: random.Random):
        entries: list[tuple[str, int]] = []
        self._title_variants: dict[str, list[tuple[int, float]]] = {}

        def add_title(title: str, variants: list[tuple[str, float]]) -> None:
            self._title_variants[title] = [(len(entries) + k, weight) for k, (_, weight) in enumerate(variants)]
            entries.extend((stored, PAGE_TITLE) for stored, _ in variants)

        for name in EVENT_NAMES:
            variants = [(name, 1.0 - DUPLICATE_WEIGHT), (name, DUPLICATE_WEIGHT)]
            if name in WHITESPACE_VARIANTS:
                variants.append((WHITESPACE_VARIANTS[name], WHITESPACE_WEIGHT))
            add_title(name, variants)
        for title in PAGE_TITLES:
            stored = matomo_escape(title)
            if title in DUPLICATED_PAGE_TITLES:
                add_title(title, [(stored, 1.0 - DUPLICATE_WEIGHT), (stored, DUPLICATE_WEIGHT)])
            else:
                add_title(title, [(stored, 1.0)])

        # The event category is the game name and the event action the event name, so the data
        # also works with standard Matomo event tracking.
        self._category_entry: dict[str, int] = {}
        for game in GAMES:
            if game.name not in self._category_entry:
                self._category_entry[game.name] = len(entries)
                entries.append((matomo_escape(game.name), EVENT_CATEGORY))
        self._event_action_entry: dict[str, int] = {}
        for name in EVENT_NAMES:
            self._event_action_entry[name] = len(entries)
            entries.append((name, EVENT_ACTION))

        self._ids = list(range(1, len(entries) + 1))
        rng.shuffle(self._ids)
        self.rows = sorted(
            (ActionRow(self._ids[k], name, action_type) for k, (name, action_type) in enumerate(entries)),
            key=lambda row: row.idaction,
        )

    def title_variants(self, title: str) -> tuple[list[int], list[float]]:
        """Return the idaction values that store page title `title` and the share of rows of each."""
        variants = self._title_variants[title]
        return [self._ids[entry] for entry, _ in variants], [weight for _, weight in variants]

    def category_id(self, game_name: str) -> int:
        return self._ids[self._category_entry[game_name]]

    def event_action_id(self, name: str) -> int:
        return self._ids[self._event_action_entry[name]]
