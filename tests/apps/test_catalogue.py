"""The catalogue file, the rule format shared with ``apps.extra``, and name matching."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from helper import config, i18n
from helper.apps import catalogue, checks
from helper.apps.catalogue import LINUX_NAME_LIMIT, Matcher, Rule, RuleError, parse_extra
from helper.platforms import PLATFORMS
from tests.conftest import Home, run_cli


def visible_rules() -> list[Rule]:
    cat = catalogue.builtin()
    return [rule for rule in cat.rules if not cat.is_hidden(rule)]


def test_catalogue_is_large_and_covers_every_category() -> None:
    cat = catalogue.builtin()
    used = {rule.category for rule in visible_rules()}
    visible = {key for key, category in cat.categories.items() if not category.hidden}
    assert len(visible_rules()) >= 80
    assert len(visible) >= 11
    assert used == visible, "every category shown to customers has applications"


def test_every_category_is_explained_in_both_languages() -> None:
    cat = catalogue.builtin()
    for key in cat.categories:
        for lang in i18n.LANGUAGES:
            assert cat.category_name(key, lang).strip()
            assert len(cat.reason(key, lang)) > 20
        assert cat.reason(key, "de") != cat.reason(key, "en")


def test_rules_are_well_formed_with_unique_ids() -> None:
    rules = catalogue.builtin().rules
    assert len({rule.id for rule in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rule.id)
        assert rule.name.strip() == rule.name and rule.name
        assert any(rule.names_for(p) for p in PLATFORMS) or rule.cmdline or rule.path
        for name in rule.windows:
            assert name.lower().endswith(".exe") or name.lower().endswith(".bin"), name
        for name in rule.macos:
            assert name.endswith(".app") or re.fullmatch(r"[\w.*-]+\.[\w.*-]+", name), name
        for name in rule.linux:
            assert "/" not in name and " " not in name, name


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_name_in_two_rules(platform: str) -> None:
    counts = Counter(n.casefold() for r in catalogue.builtin().rules for n in r.names_for(platform))
    assert [name for name, count in counts.items() if count > 1] == []


def test_long_linux_names_stay_distinct_when_truncated() -> None:
    owners: dict[str, str] = {}
    for rule in catalogue.builtin().rules:
        for name in rule.linux:
            cut = name.casefold()[:LINUX_NAME_LIMIT]
            assert owners.setdefault(cut, rule.id) == rule.id, name


def test_remote_support_tools_are_hidden_and_teamviewer_is_the_support_tool() -> None:
    cat = catalogue.builtin()
    tools = {rule.id for rule in cat.rules if rule.support_tool}
    assert tools == {"teamviewer", "teamviewer_quicksupport"}
    assert all(cat.is_hidden(rule) for rule in cat.rules if rule.support_tool)
    assert any(cat.is_hidden(rule) for rule in cat.rules if rule.id == "anydesk")


def test_issue_examples_are_in_the_catalogue() -> None:
    names = " | ".join(rule.name for rule in catalogue.builtin().rules)
    expected_names = (
        "Outlook Thunderbird eM_Client Apple_Mail Chrome Edge Firefox Safari Opera Brave "
        "Vivaldi Teams Slack Zoom WhatsApp Signal Telegram Skype Webex Discord KeePass "
        "KeePassXC 1Password Bitwarden Dashlane Enpass DATEV MoneyMoney Hibiscus WISO Word "
        "Excel PowerPoint OneNote LibreOffice Acrobat Foxit PDF-XChange Notepad++ Evernote "
        "Obsidian Notion OneDrive Dropbox Google_Drive Nextcloud"
    )
    for expected in (name.replace("_", " ") for name in expected_names.split()):
        assert expected in names, expected


# ---------------------------------------------------------------- apps.extra validation

GOOD = {"id": "praxis_x", "name": "Praxis X", "category": "practice", "windows": ["PraxisX.exe"]}


def test_good_extra_rules_pass() -> None:
    assert parse_extra([]) == ()
    rules = parse_extra([GOOD, {**GOOD, "id": "praxis_y", "cmdline": r"com\.praxis"}])
    assert [rule.id for rule in rules] == ["praxis_x", "praxis_y"]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([{**GOOD, "id": "Praxis X"}], "rule 1: 'id' must be lower-case"),
        (
            [GOOD, {**GOOD, "category": "medical"}],
            "rule 2 (id 'praxis_x'): 'category' must be one of",
        ),
        ([GOOD, GOOD], "rule 2 (id 'praxis_x'): this id is used twice"),
        ([{**GOOD, "windows": "PraxisX.exe"}], "'windows' must be a list of names"),
        ([{**GOOD, "cmdline": "("}], "'cmdline' is not a valid regular expression"),
        ([{**GOOD, "window": ["x.exe"]}], "unknown field 'window'"),
        ([{"id": "x", "name": "X", "category": "notes"}], "give at least one of"),
        ([{**GOOD, "id": "outlook"}], "the built-in catalogue already has this id"),
        ([{**GOOD, "support_tool": "yes"}], "'support_tool' must be true or false"),
        ([{**GOOD, "name": ""}], "'name' must be"),
    ],
)
def test_bad_extra_rules_name_the_rule_and_field(rules: list[object], expected: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_extra(rules)
    assert str(caught.value).startswith("apps.extra: ") and expected in str(caught.value)
    german = caught.value.text("de")
    assert german.startswith("apps.extra: Regel ") and "{" not in german


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "apps.extra: rule 1 (id 'x'): 'category' must be one of"),
        ("de", "apps.extra: Regel 1 (id 'x'): 'category' muss einer dieser Werte sein"),
    ],
)
def test_problems_name_the_file_and_speak_both_languages(
    home: Home, lang: str, expected: str
) -> None:
    path = home.write_user(
        '[apps]\nextra = [{id = "x", name = "X", category = "nonsense", linux = ["x"]}]\n'
    )
    cfg = config.load()
    assert cfg.valid, "the configuration checks only that apps.extra is a list of tables"
    (problem,) = checks.problems(cfg)
    assert (problem.key, problem.line) == ("apps.extra", 2)
    text = problem.render(lang)
    assert str(path) in text and expected in text


def test_valid_or_missing_extra_rules_have_no_problems(home: Home) -> None:
    assert checks.problems(config.load()) == []
    home.write_user(
        "[[apps.extra]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in GOOD.items())
    )
    assert checks.problems(config.load()) == []


def test_extra_rules_are_parsed_once_per_configuration(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_user(
        "[[apps.extra]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in GOOD.items())
    )
    cfg = config.load()
    calls: list[object] = []
    parse = catalogue.parse_extra
    monkeypatch.setattr(catalogue, "parse_extra", lambda value: calls.append(value) or parse(value))
    assert checks.problems(cfg) == []
    assert catalogue.load(cfg).rules[0].id == "praxis_x"
    assert catalogue.load(cfg).rules[0].id == "praxis_x"
    assert len(calls) == 1


def test_load_puts_extra_rules_first_and_drops_ignored(home: Home) -> None:
    home.write_user(
        '[apps]\nignore = ["Outlook", "firefox"]\n'
        '[[apps.extra]]\nid = "my_mail"\nname = "My Mail"\ncategory = "mail"\n'
        'linux = ["thunderbird"]\n'
    )
    cfg = config.load()
    assert cfg.valid, cfg.report()
    cat = catalogue.load(cfg)
    ids = [rule.id for rule in cat.rules]
    assert ids[0] == "my_mail"
    assert "outlook" not in ids and "firefox" not in ids and "thunderbird" in ids
    assert cat.matcher("linux").by_name(["thunderbird"]).id == "my_mail"  # type: ignore[union-attr]


def test_config_check_reports_bad_extra_rules(home: Home) -> None:
    home.write_user('[[apps.extra]]\nid = "x"\nname = "X"\ncategory = "nonsense"\nlinux = ["x"]\n')
    result = run_cli("config", "check")
    assert result.returncode == 2, result.stderr
    assert "apps.extra" in result.stderr and "rule 1 (id 'x')" in result.stderr
    assert "'category' must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_accepts_good_extra_rules(home: Home) -> None:
    home.write_user(
        "[[apps.extra]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in GOOD.items())
    )
    result = run_cli("config", "check")
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- matching


def rule(rule_id: str, **fields: object) -> Rule:
    return Rule(rule_id, rule_id.title(), "mail", **fields)  # type: ignore[arg-type]


def test_matching_ignores_case_and_prefers_earlier_rules() -> None:
    first, second = (
        rule("first", windows=("OUTLOOK.EXE",)),
        rule("second", windows=("outlook.exe",)),
    )
    matcher = Matcher([first, second], "windows")
    assert matcher.by_name(["Outlook.exe"]) is first
    assert matcher.by_name(["other.exe"]) is None


def test_wildcards_match_whole_names() -> None:
    qs = rule("qs", windows=("TeamViewerQS*.exe",))
    matcher = Matcher([qs], "windows")
    assert matcher.by_name(["TeamViewerQS_x64.exe"]) is qs
    assert matcher.by_name(["teamviewerqs.exe"]) is qs
    assert matcher.by_name(["NotTeamViewerQS.exe"]) is None


def test_truncated_linux_names_match_long_rule_names() -> None:
    telegram = rule("telegram", linux=("telegram-desktop",))
    matcher = Matcher([telegram], "linux")
    assert matcher.by_truncated_name("telegram-deskto") is telegram
    assert matcher.by_truncated_name("telegram-desk") is None  # not a 15-character cut
    assert Matcher([telegram], "windows").by_truncated_name("telegram-deskto") is None


def test_patterns_are_tried_on_command_line_and_path() -> None:
    java = rule("java_app", cmdline=r"de\.willuhn\.jameica\.Main")
    vendor = rule("vendor", path=r"[\\/]DATEV[\\/]PROGRAMM[\\/]")
    matcher = Matcher([java, vendor], "linux")
    assert matcher.has_patterns
    assert matcher.by_pattern("/usr/bin/java", "java -Xmx512m de.willuhn.jameica.Main") is java
    assert matcher.by_pattern(r"C:\Program Files (x86)\DATEV\PROGRAMM\REKI\x.exe", "") is vendor
    assert matcher.by_pattern("/usr/bin/java", "java -jar other.jar") is None


def test_keepass_under_mono_and_datev_programs_match_the_catalogue() -> None:
    matcher = catalogue.builtin().matcher("linux")
    keepass = matcher.by_pattern("/usr/bin/mono-sgen", "/usr/bin/cli /usr/lib/keepass2/KeePass.exe")
    assert keepass is not None and keepass.id == "keepass"
    windows = catalogue.builtin().matcher("windows")
    lodas = windows.by_pattern(r"C:\DATEV\PROGRAMM\LODAS\lodas.exe", "")
    reki = windows.by_pattern(r"C:\Program Files (x86)\DATEV\PROGRAMM\REKI\DATEV.Reki.Win.exe", "")
    assert lodas is not None and lodas.id == "datev_lodas"
    assert reki is not None and reki.id == "datev"
