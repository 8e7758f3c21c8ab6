"""Resolution of the warehouse connection from dbt_project.yml and profiles.yml.

The rules follow dbt: profiles.yml is parsed as YAML, then the string values of the
selected profile are rendered with Jinja2, where ``env_var(name, default)`` reads the
environment. Rendering values after parsing keeps a password that contains YAML syntax
(quotes, colons, ``#``) intact.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import jinja2
import jinja2.sandbox
import yaml

from .errors import ProfileError

SUPPORTED_TYPES = ("duckdb", "mysql")
DEFAULT_MYSQL_PORT = 3306


@dataclass(frozen=True)
class DuckDBTarget:
    """Connection settings of a dbt-duckdb target."""

    profile: str
    target: str
    path: Path
    schema: str = "main"

    type = "duckdb"

    def describe(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class MySQLTarget:
    """Connection settings of a dbt-mysql target (MySQL or MariaDB)."""

    profile: str
    target: str
    host: str
    user: str
    schema: str
    port: int = DEFAULT_MYSQL_PORT
    password: str = field(default="", repr=False)

    type = "mysql"

    def describe(self) -> str:
        return f"the MySQL server at {self.host}:{self.port}"


ConnectionSettings = Union[DuckDBTarget, MySQLTarget]


class _MissingEnvironmentVariable(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _make_jinja_environment(env: Mapping[str, str]) -> jinja2.Environment:
    def env_var(name: str, default: Any = None) -> Any:
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise _MissingEnvironmentVariable(name)

    jinja_env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    jinja_env.globals["env_var"] = env_var
    # dbt's type filters; the export converts each key to its type itself.
    for name in ("as_text", "as_number", "as_bool", "as_native"):
        jinja_env.filters[name] = lambda value: value
    return jinja_env


def _render(value: Any, jinja_env: jinja2.Environment, where: str) -> Any:
    """Render every string inside ``value``; ``where`` names the value in errors."""
    if isinstance(value, Mapping):
        return {key: _render(item, jinja_env, f"{where}, key {key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, jinja_env, where) for item in value]
    if not isinstance(value, str) or not any(mark in value for mark in ("{{", "{%", "{#")):
        return value
    try:
        return jinja_env.from_string(value).render()
    except _MissingEnvironmentVariable as error:
        raise ProfileError(
            f"environment variable {error.name} is not set and has no default "
            f"({where}): set it, or give env_var a default"
        ) from None
    except jinja2.TemplateError as error:
        raise ProfileError(f"invalid Jinja in {where}: {error}") from None


def _load_yaml_mapping(path: Path, description: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{description} not found: {path}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProfileError(f"invalid YAML in {path}: {error}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"invalid {description} {path}: expected a mapping at the top level")
    return data


def resolve_profiles_dir(
    project_dir: Path, profiles_dir: str | os.PathLike | None, env: Mapping[str, str]
) -> Path:
    """Return the folder of profiles.yml.

    Order: the argument, then ``DBT_PROFILES_DIR``, then the project folder when it contains
    profiles.yml, then ``~/.dbt``.
    """
    if profiles_dir is not None:
        return Path(profiles_dir).expanduser()
    if env.get("DBT_PROFILES_DIR"):
        return Path(env["DBT_PROFILES_DIR"]).expanduser()
    if (project_dir / "profiles.yml").is_file():
        return project_dir
    return Path("~/.dbt").expanduser()


def _read_project_profile_name(project_dir: Path, jinja_env: jinja2.Environment) -> str:
    project_file = project_dir / "dbt_project.yml"
    if not project_file.is_file():
        raise ProfileError(
            f"dbt_project.yml not found in {project_dir}: pass --project-dir, or name the "
            "profile with --profile"
        )
    project = _load_yaml_mapping(project_file, "dbt project file")
    name = _render(project.get("profile"), jinja_env, f"key profile of {project_file}")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError(
            f"{project_file} sets no profile: add `profile: <name>`, or pass --profile"
        )
    return name.strip()


def load_profile_target(
    project_dir: str | os.PathLike = ".",
    profiles_dir: str | os.PathLike | None = None,
    profile: str | None = None,
    target: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Read the connection settings of a dbt target.

    ``profile`` defaults to ``profile:`` in the project's dbt_project.yml, ``target`` to
    ``DBT_TARGET`` and then to the profile's ``target:``. ``env`` replaces ``os.environ``
    for ``env_var`` and the defaults. A relative DuckDB ``path`` is resolved against the
    project folder, which is where dbt resolves it when run from that folder.

    Raises ProfileError when a file, profile, target or key is missing or invalid.
    """
    env = os.environ if env is None else env
    project_dir = Path(project_dir).expanduser().absolute()
    jinja_env = _make_jinja_environment(env)

    profiles_file = resolve_profiles_dir(project_dir, profiles_dir, env) / "profiles.yml"
    if not profiles_file.is_file():
        raise ProfileError(
            f"profiles.yml not found at {profiles_file}: pass --profiles-dir, or set "
            "DBT_PROFILES_DIR to the folder that contains it"
        )
    if profile is None:
        profile = _read_project_profile_name(project_dir, jinja_env)

    profiles = _load_yaml_mapping(profiles_file, "profiles file")
    profile_names = sorted(name for name in profiles if name != "config")
    if profile not in profiles or profile == "config":
        raise ProfileError(
            f"profile {profile!r} not found in {profiles_file} (profiles there: "
            f"{', '.join(profile_names) or 'none'}): fix `profile:` in dbt_project.yml, or "
            "pass --profile"
        )
    profile_body = profiles[profile]
    where = f"profile {profile!r} of {profiles_file}"
    if not isinstance(profile_body, dict) or not isinstance(profile_body.get("outputs"), dict):
        raise ProfileError(f"{where} has no `outputs:` mapping: add one target under it")

    outputs = profile_body["outputs"]
    if target is None:
        target = env.get("DBT_TARGET") or _render(
            profile_body.get("target"), jinja_env, f"key target of {where}"
        )
    if not target:
        raise ProfileError(
            f"{where} sets no `target:`: add one, set DBT_TARGET, or pass --target"
        )
    target = str(target)
    if target not in outputs:
        raise ProfileError(
            f"target {target!r} not found in {where} (targets there: "
            f"{', '.join(sorted(map(str, outputs))) or 'none'}): pass --target with one of them"
        )

    where = f"target {target!r} of profile {profile!r} in {profiles_file}"
    raw_settings = outputs[target]
    if not isinstance(raw_settings, dict):
        raise ProfileError(f"{where} is not a mapping of connection keys")
    settings = _render(raw_settings, jinja_env, where)

    target_type = settings.get("type")
    if target_type == "duckdb":
        return _duckdb_target(profile, target, settings, where, project_dir)
    if target_type == "mysql":
        return _mysql_target(profile, target, settings, where)
    raise ProfileError(
        f"{where} has type {target_type!r}: the export reads {' and '.join(SUPPORTED_TYPES)} "
        "targets only; pass --target with one of those"
    )


def _required_text(settings: dict, key: str, where: str, hint: str) -> str:
    value = settings.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ProfileError(f"{where} is missing key {key!r}: {hint}")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ProfileError(f"{where} key {key!r} must be text, not {value!r}")
    return str(value).strip()


def _duckdb_target(
    profile: str, target: str, settings: dict, where: str, project_dir: Path
) -> DuckDBTarget:
    path_text = _required_text(
        settings, "path", where, "set it to the DuckDB file that `dbt build` writes"
    )
    if path_text == ":memory:" or path_text.startswith("md:"):
        raise ProfileError(
            f"{where} key 'path' is {path_text!r}: the export reads a local DuckDB file, "
            "so set path to the file that `dbt build` writes"
        )
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        path = project_dir / path
    schema = settings.get("schema")
    if schema is not None:
        schema = _required_text(
            settings, "schema", where, "name the schema of the dbt marts, or remove the key"
        )
    return DuckDBTarget(profile=profile, target=target, path=path, schema=schema or "main")


def _mysql_target(profile: str, target: str, settings: dict, where: str) -> MySQLTarget:
    host = _required_text(settings, "server", where, "set it to the MySQL host name")
    user_key = "username" if settings.get("username") is not None else "user"
    user = _required_text(settings, user_key, where, "set `username` to the MySQL user")
    schema = _required_text(
        settings, "schema", where, "set it to the database that contains the dbt marts"
    )

    port_value = settings.get("port", DEFAULT_MYSQL_PORT)
    try:
        port = int(str(port_value).strip())
    except ValueError:
        raise ProfileError(f"{where} key 'port' must be an integer, not {port_value!r}") from None
    if not 0 < port < 65536:
        raise ProfileError(f"{where} key 'port' must be from 1 to 65535, not {port}")

    password = settings.get("password")
    password = "" if password is None else str(password)
    return MySQLTarget(
        profile=profile,
        target=target,
        host=host,
        user=user,
        schema=schema,
        port=port,
        password=password,
    )
