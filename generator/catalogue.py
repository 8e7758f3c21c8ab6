"""Games of the synthetic data set and the catalogue seed written from them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

# Payload shapes, one per score rule of the result payload:
# top-level keys, nested totalScore, nested statistics, isCorrect answers, multiple choice.
SHAPE_TOP_LEVEL = "top_level"
SHAPE_NESTED_TOTAL = "nested_total"
SHAPE_STATISTICS = "statistics"
SHAPE_ANSWERS = "answers"
SHAPE_MULTIPLE_CHOICE = "multiple_choice"


@dataclass(frozen=True)
class Game:
    """One game as the tracker and the app database know it."""

    activity_id: str
    name: str
    code: str
    payload_shape: str
    rounds: int  # questions per play: count scores run from 0 to this
    popularity: float  # relative share of plays
    variant: int = 0  # usual form of the payload shape, see generator.payloads
    percent_score: bool = False  # True when the score is a percentage (0-100)
    in_catalogue: bool = True  # False for games that only the app database maps

    @property
    def multiple_choice(self) -> bool:
        """True for games that send mcq_started, introduction_completed and mcq_completed."""
        return self.payload_shape == SHAPE_MULTIPLE_CHOICE


GAMES: tuple[Game, ...] = (
    Game("101", "Shapes & Colours", "L1_SHAPES_COLOURS", SHAPE_MULTIPLE_CHOICE, 3, 9.0),
    Game("102", "Count the Apples", "L1_COUNT_APPLES", SHAPE_TOP_LEVEL, 10, 8.0),
    Game("103", "Animal Sounds", "L1_ANIMAL_SOUNDS", SHAPE_MULTIPLE_CHOICE, 2, 7.5),
    Game("104", "Big and Small", "L1_BIG_SMALL", SHAPE_ANSWERS, 5, 6.0),
    Game("105", "Letter Hunt", "L1_LETTER_HUNT", SHAPE_STATISTICS, 6, 6.0),
    Game("106", "Colour Match", "L1_COLOUR_MATCH", SHAPE_TOP_LEVEL, 8, 5.5, variant=2),
    Game("107", "Fruit Basket", "L1_FRUIT_BASKET", SHAPE_NESTED_TOTAL, 10, 5.0),
    Game("108", "Odd One Out", "L1_ODD_ONE_OUT", SHAPE_ANSWERS, 4, 4.5, variant=1),
    Game("109", "Number Train", "L1_NUMBER_TRAIN", SHAPE_TOP_LEVEL, 10, 4.5, variant=1),
    Game("110", "Teacher's Quiz", "L1_TEACHERS_QUIZ", SHAPE_MULTIPLE_CHOICE, 4, 4.0, variant=1),
    Game("111", "Weather Words", "L1_WEATHER_WORDS", SHAPE_NESTED_TOTAL, 6, 3.5, variant=1),
    Game("112", "Sound Safari", "L1_SOUND_SAFARI", SHAPE_STATISTICS, 4, 3.5),
    Game("201", "Opposites Attract", "L2_OPPOSITES", SHAPE_ANSWERS, 5, 3.0),
    Game("202", "Pattern Parade", "L2_PATTERN_PARADE", SHAPE_STATISTICS, 5, 3.0),
    Game("203", "Rhyme Time", "L2_RHYME_TIME", SHAPE_TOP_LEVEL, 10, 2.8, percent_score=True),
    Game("204", "Spot the Difference", "L2_SPOT_DIFFERENCE", SHAPE_ANSWERS, 4, 2.5, variant=1),
    Game("205", "Clock Climb", "L2_CLOCK_CLIMB", SHAPE_NESTED_TOTAL, 8, 2.2, variant=1),
    Game("206", "Feelings Friends", "L2_FEELINGS_FRIENDS", SHAPE_MULTIPLE_CHOICE, 3, 2.0, variant=1),
    Game("207", "Money Market", "L2_MONEY_MARKET", SHAPE_TOP_LEVEL, 20, 1.8, percent_score=True),
    Game("301", "Story Sequencing", "L3_STORY_SEQUENCING", SHAPE_ANSWERS, 6, 1.5),
    Game("302", "Plant a Seed", "L3_PLANT_A_SEED", SHAPE_STATISTICS, 5, 1.3),
    Game("303", "Maps & Directions", "L3_MAPS_DIRECTIONS", SHAPE_NESTED_TOTAL, 10, 1.1),
    Game("304", "Healthy Plate", "L3_HEALTHY_PLATE", SHAPE_MULTIPLE_CHOICE, 3, 1.0),
    Game("305", "Puzzle Pieces", "L3_PUZZLE_PIECES", SHAPE_TOP_LEVEL, 12, 0.8, variant=1),
    Game("306", "Music Maker", "L3_MUSIC_MAKER", SHAPE_ANSWERS, 4, 0.6, variant=1),
    # Activity ids that the catalogue seed lacks but the app database links to a game:
    # a beta game and a republished copy of a catalogue game under a new activity id.
    Game("401", "Puzzle Parade", "BETA_PUZZLE_PARADE", SHAPE_TOP_LEVEL, 10, 0.9, variant=1, in_catalogue=False),
    Game("113", "Shapes & Colours", "L1_SHAPES_COLOURS_V2", SHAPE_MULTIPLE_CHOICE, 3, 0.7, in_catalogue=False),
)

CATALOGUE_GAMES: tuple[Game, ...] = tuple(game for game in GAMES if game.in_catalogue)

CATALOGUE_COLUMNS = ("activity_id", "game_name", "game_code")


def catalogue_csv() -> str:
    """Render the catalogue seed: one row per catalogue game, `\\n` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CATALOGUE_COLUMNS)
    for game in CATALOGUE_GAMES:
        writer.writerow((game.activity_id, game.name, game.code))
    return buffer.getvalue()


def write_catalogue(path: str | Path) -> Path:
    """Write the catalogue seed CSV to `path` and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(catalogue_csv())
    return path
