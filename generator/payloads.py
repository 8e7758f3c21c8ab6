"""Result payloads of completed plays, as the tracker sends them in custom_dimension_1.

Most payloads are compact JSON in the shape of the game (see `catalogue`). A few percent carry
the faults seen in production: Matomo's HTML escaping, the 250-character cut of custom
dimension values, malformed JSON, blank values, negative scores and scores above 100.
"""

from __future__ import annotations

import json
import random

from .catalogue import (
    SHAPE_ANSWERS,
    SHAPE_MULTIPLE_CHOICE,
    SHAPE_NESTED_TOTAL,
    SHAPE_STATISTICS,
    SHAPE_TOP_LEVEL,
    Game,
)

# Matomo stores at most 250 characters of a custom dimension value and drops the rest.
MAX_DIMENSION_LENGTH = 250

# Shares of all payloads, tried in this order; the rest are clean payloads of the game's shape.
BLANK_SHARE = 0.02
MALFORMED_SHARE = 0.012
NEGATIVE_SHARE = 0.004
ABOVE_100_SHARE = 0.003
EDGE_CASE_SHARE = 0.01
# Share of non-blank payloads stored HTML-escaped, and of clean payloads in another variant
# of the game's shape (an older app build).
ESCAPED_SHARE = 0.04
OTHER_VARIANT_SHARE = 0.1

BLANK_VALUES = (None, None, None, None, None, "", "", " ", "null", "undefined")

_ESCAPES = (("&", "&amp;"), ('"', "&quot;"), ("'", "&#039;"), ("<", "&lt;"), (">", "&gt;"))


def matomo_escape(text: str) -> str:
    """Escape text the way Matomo stores tracked strings (`&`, `"`, `'`, `<`, `>`)."""
    for plain, entity in _ESCAPES:
        text = text.replace(plain, entity)
    return text


def to_json(value) -> str:
    """Serialise like a JavaScript tracker: compact separators, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _binomial(rng: random.Random, trials: int, probability: float) -> int:
    return sum(1 for _ in range(trials) if rng.random() < probability)


def _truthy(rng: random.Random, correct: bool):
    # A few apps send the flag as text; only the exact text "true" counts as correct.
    if rng.random() < 0.05:
        return "true" if correct else "false"
    return correct


def _top_level(rng, game: Game, variant: int, skill: float):
    correct = _binomial(rng, game.rounds, skill)
    if game.percent_score:
        return {"score": round(100 * correct / game.rounds), "timeSpent": rng.randint(20, 400)}
    if variant == 0:
        return {"score": correct}
    if variant == 1:
        return {"totalScore": str(correct)}
    return {"correctSelections": correct, "wrongSelections": game.rounds - correct}


def _nested_total(rng, game: Game, variant: int, skill: float):
    correct = _binomial(rng, game.rounds, skill)
    if variant % 2 == 0:
        return {"jsonData": {"totalScore": correct, "timeSpent": rng.randint(20, 400)}}
    return {"action_level": {"totalScore": correct, "attempts": rng.randint(1, 3)}}


def _statistics(rng, game: Game, variant: int, skill: float):
    levels = 2 if rng.random() < 0.08 else 1
    data = []
    for level in range(1, levels + 1):
        rounds = []
        for _ in range(rng.randint(1, 3)):
            correct = _binomial(rng, game.rounds, skill)
            rounds.append({"statistics": {"correctSelections": correct, "wrongSelections": game.rounds - correct}})
        data.append({"level": level, "gameData": rounds})
    return {"gameData": data}


def _answers(rng, game: Game, variant: int, skill: float):
    answers = [{"userResponse": [{"isCorrect": _truthy(rng, rng.random() < skill)}]} for _ in range(game.rounds)]
    if variant % 2 == 0:
        return {"section": "Action", "jsonData": answers}
    return {"gameData": [{"section": "Intro", "jsonData": []}, {"section": "Action", "jsonData": answers}]}


def _multiple_choice_answer(rng, skill: float, chosen=None):
    option_count = 2 if rng.random() < 0.8 else 3
    correct_index = rng.randrange(option_count)
    options = [{"path": f"o{k + 1}.png", "isCorrect": k == correct_index} for k in range(option_count)]
    if chosen is None:
        chosen = correct_index if rng.random() < skill else (correct_index + 1) % option_count
    return {"options": options, "chosenOption": chosen, "totalTaps": rng.randint(1, 4)}


def _multiple_choice(rng, game: Game, variant: int, skill: float):
    if variant % 2 == 0:
        return _multiple_choice_answer(rng, skill)
    # Two answers fit in 250 characters, but three usually do not and arrive cut.
    draw = rng.random()
    if draw < 0.1:
        count = 1
    elif draw < 0.85:
        count = 2
    else:
        count = 3
    return {"gameData": [_multiple_choice_answer(rng, skill) for _ in range(count)]}


_BUILDERS = {
    SHAPE_TOP_LEVEL: (_top_level, 3),
    SHAPE_NESTED_TOTAL: (_nested_total, 2),
    SHAPE_STATISTICS: (_statistics, 1),
    SHAPE_ANSWERS: (_answers, 2),
    SHAPE_MULTIPLE_CHOICE: (_multiple_choice, 2),
}


def _malformed(rng) -> str:
    score = rng.randint(0, 10)
    templates = (
        "{'score': %d}",
        '{"score": NaN}',
        '{"score": %d,}',
        "score=%d",
        '{"score":%d',
        '{"totalScore": Infinity}',
    )
    template = templates[rng.randrange(len(templates))]
    return template % score if "%d" in template else template


def _edge_case(rng, skill: float):
    """Valid JSON that tests the score rules: fallbacks, numeric text, non-object roots."""
    score = rng.randint(0, 10)
    cases = (
        {"score": None, "totalScore": score},
        {"score": f" {score} "},
        {"score": score + 0.5},
        {"score": True, "correctSelections": score},
        [score],
        {"score": "1e1"},
        {"score": "seven"},
        {"totalScore": "", "correctSelections": str(score)},
        _multiple_choice_answer(rng, skill, chosen=1.0),
        _multiple_choice_answer(rng, skill, chosen="1"),
        _multiple_choice_answer(rng, skill, chosen=5),
        {"gameData": []},
    )
    return to_json(cases[rng.randrange(len(cases))])


def make_payload(rng: random.Random, game: Game, variant: int, skill: float) -> str | None:
    """Return the stored custom_dimension_1 of one completed play of `game`.

    `variant` selects the game's usual form of its shape and `skill` is the chance of a
    correct answer. The result is at most MAX_DIMENSION_LENGTH characters long.
    """
    draw = rng.random()
    if draw < BLANK_SHARE:
        return BLANK_VALUES[rng.randrange(len(BLANK_VALUES))]
    draw -= BLANK_SHARE
    if draw < MALFORMED_SHARE:
        text = _malformed(rng)
    elif draw < MALFORMED_SHARE + NEGATIVE_SHARE:
        text = to_json({"score": -rng.randint(1, 5)})
    elif draw < MALFORMED_SHARE + NEGATIVE_SHARE + ABOVE_100_SHARE:
        value = rng.randint(101, 250)
        text = to_json({"score": value} if rng.random() < 0.5 else {"totalScore": str(value)})
    elif draw < MALFORMED_SHARE + NEGATIVE_SHARE + ABOVE_100_SHARE + EDGE_CASE_SHARE:
        text = _edge_case(rng, skill)
    else:
        builder, variant_count = _BUILDERS[game.payload_shape]
        if rng.random() < OTHER_VARIANT_SHARE:
            variant = rng.randrange(variant_count)
        text = to_json(builder(rng, game, variant % variant_count, skill))
    if rng.random() < ESCAPED_SHARE:
        text = matomo_escape(text)
    return text[:MAX_DIMENSION_LENGTH]
