"""Simulation of visitors, visits and game plays, written to DuckDB in chunks.

Every random draw comes from one `random.Random(seed)` consumed in a fixed order, and ids come
from counters or from a bijective mix of counters, so a seed and an event count always give the
same table contents. Memory is bounded by the chunk size and the visitor pool (a few dozen
bytes per visitor), not by the event count.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import random
import time
from array import array
from pathlib import Path

import duckdb

from .actions import (
    EVENT_NAMES,
    HYBRID_EVENT_NAMES,
    MULTIPLE_CHOICE_EVENT_NAMES,
    PAGE_TITLES,
    STAGES,
    ActionCatalogue,
)
from .catalogue import GAMES, Game
from .payloads import make_payload
from .schema import create_tables, quote_identifier, table_name
from .writer import NULL_ID, ChunkWriter, TextDictionary

log = logging.getLogger(__name__)

SITE_ID = 1
SITE_NAME = "Hybrid Games"
SITE_TIMEZONE = "Asia/Kolkata"
# India Standard Time is UTC+05:30 all year (no daylight saving since 1945).
IST_OFFSET_SECONDS = 19_800
DAY_SECONDS = 86_400

# Data starts a few days before the report start date (a low-volume soft launch) and covers
# 140 days, about four and a half months, in all.
SOFT_LAUNCH_DAYS = 3
SPAN_DAYS = 140
SOFT_LAUNCH_WEIGHT = 0.1
# One day with a tracking outage, counted in days after the report start date.
OUTAGE_DAY = 61
OUTAGE_WEIGHT = 0.03

# Relative visit volume by local (IST) hour, 00:00 to 23:00: mornings before school and
# evenings, with some play after 23:00, so a few visits cross local midnight.
HOURLY_WEIGHTS = (
    1.2, 0.5, 0.3, 0.2, 0.3, 0.8, 2.0, 4.0, 4.0, 3.0, 2.5, 2.5,
    2.5, 3.0, 3.0, 4.0, 6.0, 7.0, 7.5, 8.0, 7.0, 5.0, 3.5, 2.5,
)

# Chance of going on to each next stage (started -> introduction, ..., rewards -> completed)
# for the first game; later games in GAMES are a little harder.
CONTINUE_PROBABILITY = (0.88, 0.85, 0.9, 0.88, 0.82, 0.9, 0.93)
DIFFICULTY_STEP = 0.03
PARENT_POLL_SKIP = 0.2
# Seconds before an action of each stage: minimum and random extra.
STEP_SECONDS = {
    "introduction": (15, 60), "questions": (5, 35), "mid_introduction": (10, 40),
    "validation": (5, 30), "parent_poll": (20, 90), "rewards": (5, 25), "completed": (2, 10),
}
# Stages that send one action per question: up to this many actions beyond the first.
EXTRA_REPEATS = {"questions": 3, "validation": 1}
# Page views between plays; None is an action row without a name (Matomo writes those for
# outlinks, downloads and content interactions).
OTHER_PAGE_WEIGHTS = (("Profile", 4), ("Parent's Corner", 2), ("Games & Rewards", 3), ("Settings", 1), (None, 0.3))
HOME_PAGE_SHARE = 0.7
OTHER_PAGE_SHARE = 0.12
ANOTHER_PLAY_SHARE = 0.55
MAX_PLAYS_PER_VISIT = 5
REPLAY_SHARE = 0.2
LOST_DIMENSION_SHARE = 0.003

APP_VERSIONS = (("2.4.1", 50), ("2.4.0", 30), ("2.3.7", 15), ("2.2.0", 5))
LOCALES = ("en-IN", "hi-IN", "en-IN", "mr-IN", "ta-IN", "en-IN", "bn-IN")

# Visitors: the share of visits by a new visitor (device), and what a new device is.
NEW_VISITOR_SHARE = 0.13
ANONYMOUS_SHARE = 0.25
SECOND_DEVICE_SHARE = 0.08
# Returning visitors: a higher exponent favours recent visitors more.
RETURN_RECENCY_EXPONENT = 2.5
# The custom_dimension_2 of a play: the activity id, padded, blank or unknown.
PADDED_ACTIVITY_SHARE = 0.02
BLANK_ACTIVITY_SHARE = 0.01
UNKNOWN_ACTIVITY_SHARE = 0.01
UNKNOWN_ACTIVITY_IDS = ("999", "0101", "test", "1O1", "12")
BLANK_ACTIVITY_VALUES = (None, "", " ", "null", "undefined", "NULL")
# Share of visits whose first actions carry another idvisitor than the visit's final one.
CHANGED_VISITOR_SHARE = 0.02
# App database: share of links whose activity id has a trailing space, and completions the
# app failed to write or wrote twice.
PADDED_LINK_SHARE = 0.03
MISSING_COMPLETION_SHARE = 0.03
DUPLICATE_COMPLETION_SHARE = 0.01
PROFILE_ID_BASE = 10_000_000_000

LOOKUP_SIZE = 1000  # entries of a weighted lookup table: weights resolve to 0.1 %


def mix64(value: int) -> int:
    """SplitMix64 finaliser: a bijection of 64-bit integers, so distinct inputs stay distinct."""
    value &= 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


def weighted_lookup(items, weights, size: int = LOOKUP_SIZE) -> list:
    """Return a list of `size` items, each repeated in proportion to its weight.

    `table[int(rng.random() * size)]` is then a weighted draw that costs one random number.
    """
    total = float(sum(weights))
    table = []
    cumulative = 0.0
    for item, weight in zip(items, weights):
        cumulative += weight
        while len(table) < round(size * cumulative / total):
            table.append(item)
    return table


class Simulation:
    """Generates `events` action rows for `seed` and writes every table through a ChunkWriter."""

    def __init__(self, events: int, seed: int, start_date: dt.date, chunk_rows: int = 100_000):
        if events < 1:
            raise ValueError(f"events must be at least 1, got {events}")
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
        self.events = events
        self.chunk_rows = chunk_rows
        self.rng = random.Random(seed)
        self.salt = mix64(seed)
        self.written = 0

        self.actions = ActionCatalogue(self.rng)
        report_start = dt.datetime.combine(start_date, dt.time(), tzinfo=dt.timezone.utc)
        self.span_start = int(report_start.timestamp()) - IST_OFFSET_SECONDS - SOFT_LAUNCH_DAYS * DAY_SECONDS
        self._build_calendar()

        self.activities = TextDictionary()
        self.versions = TextDictionary(version for version, _ in APP_VERSIONS)
        self.locales = TextDictionary(LOCALES)
        self.locale_index = [self.locales.index(locale) for locale in LOCALES]
        self.version_lookup = weighted_lookup(
            [self.versions.index(version) for version, _ in APP_VERSIONS], [weight for _, weight in APP_VERSIONS]
        )
        self.title_lookup = {}
        for title in EVENT_NAMES + PAGE_TITLES:
            ids, weights = self.actions.title_variants(title)
            self.title_lookup[title] = weighted_lookup(ids, weights)
        self.title_lookup[None] = [NULL_ID] * LOOKUP_SIZE
        self.other_page_lookup = weighted_lookup(
            [page for page, _ in OTHER_PAGE_WEIGHTS], [weight for _, weight in OTHER_PAGE_WEIGHTS]
        )
        self._build_games()

        # Visitor pool, one entry per device; the devices of one child share profile, games and skill.
        self.visitor_ids = array("Q")
        self.visitor_profile = array("q")
        self.visitor_mask = array("Q")
        self.visitor_link_base = array("q")
        self.visitor_skill = array("d")
        self.profile_count = 0
        self.next_link_id = 1
        self.next_completion_id = 1

    def _build_calendar(self) -> None:
        """Day weights (growth, weekends, noise, an outage) and the local time-of-day curve."""
        weights = []
        first_day = dt.date(1970, 1, 1) + dt.timedelta(days=(self.span_start + IST_OFFSET_SECONDS) // DAY_SECONDS)
        for day in range(SPAN_DAYS):
            weight = 1.0 + 1.5 * day / SPAN_DAYS
            if (first_day + dt.timedelta(days=day)).weekday() >= 5:
                weight *= 1.35
            weight *= 0.85 + 0.3 * self.rng.random()
            if day < SOFT_LAUNCH_DAYS:
                weight *= SOFT_LAUNCH_WEIGHT
            if day == SOFT_LAUNCH_DAYS + OUTAGE_DAY:
                weight *= OUTAGE_WEIGHT
            weights.append(weight)
        self.day_cumulative = self._cumulative_shares(weights)
        self.hour_cumulative = self._cumulative_shares(HOURLY_WEIGHTS)

    @staticmethod
    def _cumulative_shares(weights) -> list[float]:
        total = sum(weights)
        cumulative = [0.0]
        for weight in weights:
            cumulative.append(cumulative[-1] + weight / total)
        cumulative[-1] = 1.0
        return cumulative

    def _build_games(self) -> None:
        self.game_lookup = weighted_lookup(range(len(GAMES)), [game.popularity for game in GAMES])
        max_popularity = max(game.popularity for game in GAMES)
        # Chance that a new profile gets a game assigned; a child mostly plays assigned games.
        self.assign_probability = [0.2 + 0.7 * game.popularity / max_popularity for game in GAMES]
        self.game_category = [self.actions.category_id(game.name) for game in GAMES]
        # hybrid_games.id: catalogue games first, in catalogue order, then the app-only games.
        self.app_game_id = list(range(1, len(GAMES) + 1))
        self.play_plan = [self._play_plan(game, index) for index, game in enumerate(GAMES)]

    def _play_plan(self, game: Game, game_index: int) -> list[tuple]:
        """Return one tuple per stage of `game`, read by `_play`.

        Each contains the chance to reach the stage, the chance to skip it and the maximum
        number of its extra actions. Then come the seconds before each action (minimum and
        random extra), the page title lookup, the event action id and a flag for the
        completed stage.
        """
        names = MULTIPLE_CHOICE_EVENT_NAMES if game.multiple_choice else HYBRID_EVENT_NAMES
        plan = []
        for stage_index, stage in enumerate(STAGES):
            go_on = 1.0
            if stage_index:
                go_on = CONTINUE_PROBABILITY[stage_index - 1] ** (1.0 + DIFFICULTY_STEP * game_index)
            step_minimum, step_extra = STEP_SECONDS.get(stage, (0, 0))
            plan.append((
                go_on,
                PARENT_POLL_SKIP if stage == "parent_poll" else 0.0,
                EXTRA_REPEATS.get(stage, 0),
                step_minimum,
                step_extra,
                self.title_lookup[names[stage]],
                self.actions.event_action_id(names[stage]),
                stage == "completed",
            ))
        return plan

    def _visit_start(self, progress: float) -> int:
        """Map the share of events written so far to a visit start (UTC epoch seconds).

        The mapping grows with `progress`, so visit ids and action ids grow with time as in Matomo.
        """
        cumulative = self.day_cumulative
        day = min(bisect.bisect_right(cumulative, progress) - 1, SPAN_DAYS - 1)
        within_day = (progress - cumulative[day]) / (cumulative[day + 1] - cumulative[day])
        hours = self.hour_cumulative
        hour = min(bisect.bisect_right(hours, within_day) - 1, 23)
        within_hour = min((within_day - hours[hour]) / (hours[hour + 1] - hours[hour]), 0.999)
        seconds = int((hour + within_hour) * 3600) + int(self.rng.random() * 120)
        return self.span_start + day * DAY_SECONDS + seconds

    def _new_visitor(self, writer: ChunkWriter) -> int:
        rng = self.rng
        index = len(self.visitor_ids)
        self.visitor_ids.append(mix64(index ^ self.salt))

        draw = rng.random()
        if draw < ANONYMOUS_SHARE:
            self._add_visitor_state(0, (1 << len(GAMES)) - 1, 0, 0.35 + 0.6 * rng.random())
            return index
        if draw < ANONYMOUS_SHARE + SECOND_DEVICE_SHARE and index > 0:
            other = int(rng.random() * index)
            if self.visitor_profile[other]:
                # A second device of an existing child.
                self._add_visitor_state(
                    self.visitor_profile[other], self.visitor_mask[other],
                    self.visitor_link_base[other], self.visitor_skill[other],
                )
                return index

        # A new child profile with its assigned games, written as app database links.
        profile_id = PROFILE_ID_BASE + ((self.profile_count * 2_654_435_761 + self.salt) & 0xFFFFFFFF)
        self.profile_count += 1
        mask = 0
        for game_index, probability in enumerate(self.assign_probability):
            if rng.random() < probability:
                mask |= 1 << game_index
        link_base = self.next_link_id
        for game_index, game in enumerate(GAMES):
            if mask >> game_index & 1:
                activity_id = game.activity_id + " " if rng.random() < PADDED_LINK_SHARE else game.activity_id
                self._add_link(writer, self.app_game_id[game_index], activity_id, profile_id)
        if self.profile_count == 1:
            self._add_misconfigured_links(writer, profile_id)
        self._add_visitor_state(profile_id, mask, link_base, 0.35 + 0.6 * rng.random())
        return index

    def _add_visitor_state(self, profile_id: int, mask: int, link_base: int, skill: float) -> None:
        self.visitor_profile.append(profile_id)
        self.visitor_mask.append(mask)
        self.visitor_link_base.append(link_base)
        self.visitor_skill.append(skill)

    def _add_link(self, writer: ChunkWriter, game_id: int, activity_id: str, profile_id: int) -> None:
        writer.link_id.append(self.next_link_id)
        writer.link_game.append(game_id)
        writer.link_activity.append(activity_id)
        writer.link_profile.append(profile_id)
        self.next_link_id += 1

    def _add_misconfigured_links(self, writer: ChunkWriter, profile_id: int) -> None:
        """Links that contradict the catalogue or each other, as hand-edited app data does.

        Activity 105 is linked to another game than the catalogue's, and activity 401 to a
        second game with a higher hybrid_games.id than its own.
        """
        other_game = len(GAMES) + 1  # the extra hybrid_games row written by write_reference_tables
        self._add_link(writer, self.app_game_id[-1], " 105", profile_id)
        self._add_link(writer, other_game, "401", profile_id)

    def _pick_visitor(self, writer: ChunkWriter) -> int:
        count = len(self.visitor_ids)
        if count == 0 or self.rng.random() < NEW_VISITOR_SHARE:
            return self._new_visitor(writer)
        # Recent visitors come back most, older ones still come back weeks later.
        return count - 1 - int(count * self.rng.random() ** RETURN_RECENCY_EXPONENT)

    def _user_id(self, profile_id: int) -> str | None:
        draw = self.rng.random()
        if not profile_id:
            return "null" if draw < 0.02 else None
        if draw < 0.86:
            return str(profile_id)
        if draw < 0.88:
            return ""
        if draw < 0.89:
            return "undefined"
        if draw < 0.90:
            return f" {profile_id} "
        return None

    def _activity_value(self, game: Game) -> str | None:
        rng = self.rng
        draw = rng.random()
        if draw < PADDED_ACTIVITY_SHARE:
            paddings = (" " + game.activity_id, game.activity_id + " ", "\t" + game.activity_id + " ")
            return paddings[rng.randrange(len(paddings))]
        draw -= PADDED_ACTIVITY_SHARE
        if draw < BLANK_ACTIVITY_SHARE:
            return BLANK_ACTIVITY_VALUES[rng.randrange(len(BLANK_ACTIVITY_VALUES))]
        draw -= BLANK_ACTIVITY_SHARE
        if draw < UNKNOWN_ACTIVITY_SHARE:
            return UNKNOWN_ACTIVITY_IDS[rng.randrange(len(UNKNOWN_ACTIVITY_IDS))]
        return game.activity_id

    def _pick_game(self, mask: int) -> int:
        """Draw a game by popularity, preferring (three tries) one assigned to the profile."""
        random_draw = self.rng.random
        lookup = self.game_lookup
        game_index = lookup[int(random_draw() * LOOKUP_SIZE)]
        for _ in range(3):
            if mask >> game_index & 1:
                break
            game_index = lookup[int(random_draw() * LOOKUP_SIZE)]
        return game_index

    def _play(self, actions, completions: list, t: int, game_index: int, skill: float) -> int:
        """Append the action rows of one play, stage by stage until the child drops out.

        Appends (row position, time) of each completed event to `completions` and returns the
        time of the last action.
        """
        rng = self.rng
        random_draw = rng.random
        game = GAMES[game_index]
        times, names, event_actions, payloads = actions.server_time, actions.name, actions.event_action, actions.payload
        first_row = len(times)
        activity = self._activity_value(game)
        attempt = actions.attempts.index(f"{rng.getrandbits(48):012x}")

        # Draws are made only where a stage needs them: the first stage is always reached and
        # has no wait, and only some stages can be skipped or repeated.
        for go_on, skip, extra_repeats, step_minimum, step_extra, lookup, event_action_id, completed in (
            self.play_plan[game_index]
        ):
            if go_on < 1.0 and random_draw() >= go_on:
                break
            if skip and random_draw() < skip:
                continue
            repeats = 1
            if extra_repeats:
                repeats += int(random_draw() * (extra_repeats + 1))
            for _ in range(repeats):
                if step_extra:
                    t += step_minimum + int(random_draw() * step_extra)
                if completed:
                    completions.append((len(times), t))
                    payloads.append(make_payload(rng, game, game.variant, skill))
                else:
                    payloads.append(None)
                times.append(t)
                names.append(lookup[int(random_draw() * LOOKUP_SIZE)])
                event_actions.append(event_action_id)

        count = len(times) - first_row
        actions.category.extend(array("i", (self.game_category[game_index],)) * count)
        actions.attempt.extend(array("i", (attempt,)) * count)
        actions.activity.extend(array("i", (self.activities.index(activity),)) * count)
        if random_draw() < LOST_DIMENSION_SHARE * count:
            # The tracker lost the dimension on one action of the play.
            actions.activity[first_row + int(random_draw() * count)] = 0
        return t

    def _page_view(self, actions, t: int, title: str | None) -> None:
        actions.server_time.append(t)
        actions.name.append(self.title_lookup[title][int(self.rng.random() * LOOKUP_SIZE)])
        actions.event_action.append(NULL_ID)
        actions.payload.append(None)
        actions.category.append(NULL_ID)
        actions.attempt.append(0)
        actions.activity.append(0)

    def _visit(self, writer: ChunkWriter, idvisit: int, limit: int) -> int:
        """Append one visit of at most `limit` action rows; return its number of action rows."""
        rng = self.rng
        random_draw = rng.random
        actions = writer.actions
        visitor = self._pick_visitor(writer)
        profile_id = self.visitor_profile[visitor]
        mask = self.visitor_mask[visitor]
        skill = self.visitor_skill[visitor]
        user_id = self._user_id(profile_id)
        version = self.version_lookup[int(random_draw() * LOOKUP_SIZE)]
        t = self._visit_start(self.written / self.events)

        first_row = len(actions)
        completions: list[tuple[int, int, int]] = []
        if random_draw() < HOME_PAGE_SHARE:
            self._page_view(actions, t, "Home")
            t += 3 + int(random_draw() * 20)
        plays = 1
        while plays < MAX_PLAYS_PER_VISIT and random_draw() < ANOTHER_PLAY_SHARE:
            plays += 1
        game_index = self._pick_game(mask)
        for play in range(plays):
            if play and random_draw() >= REPLAY_SHARE:
                game_index = self._pick_game(mask)
            if random_draw() < OTHER_PAGE_SHARE:
                self._page_view(actions, t, self.other_page_lookup[int(random_draw() * LOOKUP_SIZE)])
                t += 5 + int(random_draw() * 60)
            play_completions: list[tuple[int, int]] = []
            t = self._play(actions, play_completions, t, game_index, skill)
            completions.extend((row, created, game_index) for row, created in play_completions)
            t += 20 + int(random_draw() * 220)

        count = len(actions) - first_row
        visitor_id = self.visitor_ids[visitor]
        actions.visitor.extend(array("Q", (visitor_id,)) * count)
        actions.idvisit.extend(array("q", (idvisit,)) * count)
        actions.version.extend(array("i", (version,)) * count)
        actions.locale.extend(array("i", (self.locale_index[visitor % len(LOCALES)],)) * count)
        if random_draw() < CHANGED_VISITOR_SHARE:
            # The visit began under another visitor id, before the app identified the child.
            earlier_id = mix64(rng.getrandbits(64))
            for row in range(first_row, first_row + min(count, 1 + int(random_draw() * 3))):
                actions.visitor[row] = earlier_id
        if count > limit:
            actions.truncate(first_row + limit)
            count = limit

        writer.visit_id.append(idvisit)
        writer.visit_visitor.append(visitor_id)
        writer.visit_user_id.append(user_id)
        writer.visit_first.append(actions.server_time[first_row])
        writer.visit_last.append(actions.server_time[first_row + count - 1])
        if profile_id:
            self._add_completions(writer, visitor, completions, first_row + count)
        return count

    def _add_completions(self, writer: ChunkWriter, visitor: int, completions, end_row: int) -> None:
        """Write app completions of the completed events before `end_row` on the profile's links."""
        random_draw = self.rng.random
        mask = self.visitor_mask[visitor]
        link_base = self.visitor_link_base[visitor]
        for row, created, game_index in completions:
            if row >= end_row or not mask >> game_index & 1:
                continue
            if random_draw() < MISSING_COMPLETION_SHARE:
                continue
            link_id = link_base + (mask & ((1 << game_index) - 1)).bit_count()
            copies = 2 if random_draw() < DUPLICATE_COMPLETION_SHARE else 1
            for copy in range(copies):
                writer.completion_id.append(self.next_completion_id)
                writer.completion_link.append(link_id)
                writer.completion_created.append(created + 1 + int(random_draw() * 4) + copy)
                self.next_completion_id += 1

    def run(self, database: str | Path, prefix: str = "", app_db: bool = True) -> dict[str, int]:
        """Create the tables in the DuckDB file `database`, write all rows and return row counts.

        Tables of the same names are replaced; other tables in the file are kept.
        """
        database = Path(database)  # raises TypeError for a connection object
        started = time.monotonic()
        with duckdb.connect(str(database)) as con:
            create_tables(con, prefix, app_db=app_db, replace=True)
            self._write_reference_tables(con, prefix, app_db)
        writer = ChunkWriter(database, prefix, app_db, SITE_ID, self.activities, self.versions, self.locales)
        try:
            idvisit = 0
            report_step = max(self.events // 10, 1)
            next_report = report_step
            while self.written < self.events:
                idvisit += 1
                self.written += self._visit(writer, idvisit, self.events - self.written)
                if len(writer.actions) >= self.chunk_rows:
                    writer.flush()
                if self.written >= next_report:
                    log.info("%d of %d events generated (%.1f s)", self.written, self.events, time.monotonic() - started)
                    next_report += report_step
        finally:
            writer.close()

        tables = ["log_link_visit_action", "log_visit", "log_action", "site"]
        if app_db:
            tables += ["hybrid_games", "hybrid_games_links", "hybrid_game_completions"]
        counts = {}
        with duckdb.connect(str(database)) as con:
            for table in tables:
                name = table_name(table, prefix)
                counts[name] = con.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()[0]
        elapsed = time.monotonic() - started
        log.info(
            "wrote %d events to %s in %.1f s (%.0f events/s, %.1f s of it waiting for DuckDB inserts)",
            self.events, database, elapsed, self.events / max(elapsed, 1e-9), writer.wait_seconds,
        )
        return counts

    def _write_reference_tables(self, con, prefix: str, app_db: bool) -> None:
        con.execute(
            f"INSERT INTO {quote_identifier(table_name('site', prefix))} VALUES (?, ?, ?)",
            [SITE_ID, SITE_NAME, SITE_TIMEZONE],
        )
        con.executemany(
            f"INSERT INTO {quote_identifier(table_name('log_action', prefix))} VALUES (?, ?, ?, ?)",
            [[row.idaction, row.name, row.hash, row.type] for row in self.actions.rows],
        )
        if app_db:
            games = [[self.app_game_id[index], game.name, game.code] for index, game in enumerate(GAMES)]
            # A copy of the beta game under a higher id, linked by one misconfigured link.
            games.append([len(GAMES) + 1, "Puzzle Parade (copy)", "BETA_PUZZLE_PARADE_COPY"])
            con.executemany("INSERT INTO hybrid_games VALUES (?, ?, ?)", games)
