"""The Block Kit checker accepts each of Slack's limits exactly and refuses one past it."""

from collections.abc import Callable

import pytest

from tests.support.block_kit import block_kit_problems


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def section(text: str = "Hello", **extra: object) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "go", text: str = "Go", **extra: object) -> dict:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def option(text: str = "One", value: str = "1") -> dict:
    return {"text": plain(text), "value": value}


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


def message(*blocks: dict, text: str = "fallback") -> tuple[dict, str]:
    """Arguments for block_kit_problems: a message payload and its surface."""
    return {"text": text, "blocks": list(blocks)}, "message"


def modal(*blocks: dict, **fields: object) -> tuple[dict, str]:
    """Arguments for block_kit_problems: a modal view and its surface."""
    return {"type": "modal", "title": plain("Title"), "blocks": list(blocks), **fields}, "modal"


def text_input(**element: object) -> dict:
    field = {"type": "plain_text_input", "action_id": "answer", **element}
    return {"type": "input", "label": plain("Answer"), "element": field}


DIVIDER = {"type": "divider"}

# name -> (limit, build(n) -> (payload, surface) with n of the limited thing)
LIMITS: dict[str, tuple[int, Callable[[int], tuple[dict, str]]]] = {
    "message blocks": (50, lambda n: message(*[DIVIDER] * n)),
    "modal blocks": (100, lambda n: modal(*[DIVIDER] * n)),
    "home blocks": (100, lambda n: ({"type": "home", "blocks": [DIVIDER] * n}, "home")),
    "message text": (40_000, lambda n: ({"text": "x" * n}, "message")),
    "section text": (3000, lambda n: message(section("x" * n))),
    "section fields": (
        10,
        lambda n: message({"type": "section", "fields": [plain("f")] * n}),
    ),
    "section field text": (
        2000,
        lambda n: message({"type": "section", "fields": [plain("x" * n)]}),
    ),
    "header text": (150, lambda n: message({"type": "header", "text": plain("x" * n)})),
    "button text": (75, lambda n: message(actions(button(text="x" * n)))),
    "button value": (2000, lambda n: message(actions(button(value="x" * n)))),
    "button url": (3000, lambda n: message(actions(button(url="x" * n)))),
    "action_id": (255, lambda n: message(actions(button(action_id="x" * n)))),
    "block_id": (255, lambda n: message(section(block_id="x" * n))),
    "actions elements": (
        25,
        lambda n: message(actions(*[button(action_id=f"a{i}") for i in range(n)])),
    ),
    "context elements": (
        10,
        lambda n: message({"type": "context", "elements": [plain("c")] * n}),
    ),
    "select options": (
        100,
        lambda n: message(
            actions({"type": "static_select", "action_id": "s", "options": [option()] * n})
        ),
    ),
    "option groups": (
        100,
        lambda n: message(
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain("g"), "options": [option()]}] * n,
                }
            )
        ),
    ),
    "option text": (
        75,
        lambda n: message(
            actions({"type": "static_select", "action_id": "s", "options": [option("x" * n)]})
        ),
    ),
    "option value": (
        150,
        lambda n: message(
            actions({"type": "static_select", "action_id": "s", "options": [option(value="x" * n)]})
        ),
    ),
    "overflow options": (
        5,
        lambda n: message(
            actions({"type": "overflow", "action_id": "o", "options": [option()] * n})
        ),
    ),
    "modal title": (24, lambda n: modal(title=plain("x" * n))),
    "modal submit": (24, lambda n: modal(submit=plain("x" * n))),
    "modal close": (24, lambda n: modal(close=plain("x" * n))),
    "private_metadata": (3000, lambda n: modal(private_metadata="x" * n)),
    "callback_id": (255, lambda n: modal(callback_id="x" * n)),
    "input label": (
        2000,
        lambda n: modal(
            {"type": "input", "label": plain("x" * n), "element": {"type": "plain_text_input"}},
            submit=plain("Save"),
        ),
    ),
    "plain_text_input max_length": (
        3000,
        lambda n: modal(text_input(max_length=n), submit=plain("Save")),
    ),
}


@pytest.mark.parametrize("name", LIMITS)
def test_limit_is_accepted_and_one_more_is_refused(name: str) -> None:
    limit, build = LIMITS[name]
    assert block_kit_problems(*build(limit)) == []
    problems = block_kit_problems(*build(limit + 1))
    assert problems, f"{name}: {limit + 1} should be refused"
    assert any(str(limit) in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("payload", "surface", "expected"),
    [
        pytest.param(
            *message(section(block_id="a"), section(block_id="a")),
            "duplicate block_id 'a'",
            id="duplicate block_id",
        ),
        pytest.param(
            *message(actions(button("same"), button("same"))),
            "duplicate action_id 'same' in one block",
            id="duplicate action_id in one block",
        ),
        pytest.param(*message({"type": "carousel"}), "unknown block type", id="unknown block"),
        pytest.param(
            *message(actions({"type": "slider", "action_id": "s"})),
            "unknown element type 'slider'",
            id="unknown element",
        ),
        pytest.param(
            *message({"type": "section", "text": {"text": "no type"}}),
            "needs 'type' and 'text'",
            id="text object without type",
        ),
        pytest.param(
            *message({"type": "header", "text": {"type": "mrkdwn", "text": "Hi"}}),
            "type must be plain_text",
            id="mrkdwn header",
        ),
        pytest.param(*message(section("")), "text is empty", id="empty text"),
        pytest.param(*message({"type": "section"}), "needs 'text' or 'fields'", id="bare section"),
        pytest.param(
            *modal({"type": "input", "label": plain("Name")}, submit=plain("Save")),
            "blocks[0].element: is required",
            id="input without element",
        ),
        pytest.param(
            *modal(
                {"type": "input", "element": {"type": "plain_text_input"}}, submit=plain("Save")
            ),
            "blocks[0].label: is required",
            id="input without label",
        ),
        pytest.param(*modal(text_input()), "view.submit: is required", id="input without submit"),
        pytest.param(
            {"type": "modal", "blocks": []}, "modal", "view.title: is required", id="no title"
        ),
        pytest.param(
            {"type": "modal", "blocks": []}, "home", "must be 'home'", id="modal published as home"
        ),
    ],
)
def test_structural_problems(payload: dict, surface: str, expected: str) -> None:
    problems = block_kit_problems(payload, surface)
    assert any(expected in problem for problem in problems), problems


def test_same_action_id_in_two_blocks_is_fine() -> None:
    assert block_kit_problems(*message(actions(button("go")), actions(button("go")))) == []


def test_a_realistic_modal_is_fine() -> None:
    view = modal(
        {"type": "header", "text": plain("Check-in")},
        section("How did it go?", accessory=button("help", url="https://example.org")),
        text_input(max_length=500, placeholder=plain("A sentence or two")),
        {
            "type": "input",
            "block_id": "mood",
            "label": plain("Mood"),
            "element": {
                "type": "radio_buttons",
                "action_id": "mood",
                "options": [
                    {"text": {"type": "mrkdwn", "text": f"*{i}*"}, "value": str(i)}
                    for i in range(1, 6)
                ],
            },
        },
        {
            "type": "context",
            "elements": [{"type": "image", "image_url": "https://x/y.png", "alt_text": "y"}],
        },
        submit=plain("Send"),
        close=plain("Cancel"),
        callback_id="checkin",
        private_metadata='{"pairing": 1}',
    )
    assert block_kit_problems(*view) == []


def test_unknown_surface_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown surface"):
        block_kit_problems({}, "dialog")
