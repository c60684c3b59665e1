"""The queues and tables Bicep creates are the ones the app uses, under Azure's naming rules."""

from __future__ import annotations

import re

from shared.queues import ALL_QUEUES, POISON_SUFFIX
from tests.infra.bicep import array_strings, load, text_of

TABLE_BASES = ("Projects", "Items", "Drives", "Work", "Log")
"""DESIGN §3. shared/state/ does not export its list of tables yet; compare with it once it does."""

QUEUE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,62}$")


def test_bicep_creates_exactly_the_queues_of_shared_queues() -> None:
    in_bicep = array_strings(load("main.bicep").variable("queueNames"))
    assert len(in_bicep) == len(set(in_bicep))
    assert set(in_bicep) == set(ALL_QUEUES)


def test_queue_names_and_their_poison_queues_are_valid_azure_names() -> None:
    for name in ALL_QUEUES:
        poison = name + POISON_SUFFIX
        assert QUEUE_NAME.match(name), name
        assert QUEUE_NAME.match(poison), poison
        assert len(name) >= 3, name
        assert len(poison) <= 63, poison


def test_bicep_creates_the_state_tables_under_the_table_prefix() -> None:
    main = load("main.bicep")
    assert tuple(array_strings(main.variable("tableBases"))) == TABLE_BASES
    storage = next(module for module in main.modules() if module.symbol == "storage")
    table_names = text_of(storage.params["tableNames"])
    assert table_names == "[for base in tableBases: '${tablePrefix}${base}']"
    assert "param tablePrefix string = ''" in main.source


def test_table_names_are_valid_with_the_longest_prefix() -> None:
    longest_prefix = "T" + "9" * 29  # TABLE_PREFIX allows a letter and 29 more characters
    for base in TABLE_BASES:
        assert TABLE_NAME.match(base), base
        assert TABLE_NAME.match(longest_prefix + base), base
