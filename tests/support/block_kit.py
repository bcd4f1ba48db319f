"""Offline check of Slack's published Block Kit limits.

Slack refuses a whole message or view when one field is over a limit (``invalid_blocks`` /
``invalid_arguments``), and only in production. The fake Web API runs every payload through
:func:`block_kit_problems` so tests fail here instead, with a message that names the field.
"""

from __future__ import annotations

from typing import Any

SURFACE_BLOCK_LIMITS = {"message": 50, "modal": 100, "home": 100}
KNOWN_BLOCK_TYPES = frozenset(
    {
        "section",
        "header",
        "divider",
        "actions",
        "context",
        "input",
        "image",
        "rich_text",
        "file",
        "video",
    }
)
# Interactive elements without limits of their own beyond action_id and placeholder.
PLAIN_ELEMENT_TYPES = frozenset(
    {
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "external_select",
        "multi_external_select",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
        "workflow_button",
    }
)
MAX_MESSAGE_TEXT = 40_000


def block_kit_problems(payload: dict, surface: str) -> list[str]:
    """Problems Slack would refuse ``payload`` for; an empty list means it is fine.

    ``payload`` is a message (``text``/``blocks``) for surface "message", or a view object
    for "modal" and "home".
    """
    if surface not in SURFACE_BLOCK_LIMITS:
        raise ValueError(f"unknown surface {surface!r}; use one of {sorted(SURFACE_BLOCK_LIMITS)}")
    checker = _Checker()
    if not isinstance(payload, dict):
        return [f"{surface}: payload must be an object, not {type(payload).__name__}"]
    if surface == "message":
        checker.message(payload)
    else:
        checker.view(payload, surface)
    return checker.problems


class _Checker:
    """Collects problems for one surface (block_id uniqueness spans the surface)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    # -- primitives ------------------------------------------------------------------------

    def length(self, value: Any, where: str, limit: int) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(where, f"must be a string, not {type(value).__name__}")
        elif len(value) > limit:
            self.add(where, f"is {len(value)} chars (max {limit})")

    def items(
        self,
        value: Any,
        where: str,
        limit: int,
        *,
        required: bool = True,
        allow_empty: bool = False,
    ) -> list:
        """The list at ``where`` (empty if missing or wrong), after checking its size."""
        if value is None:
            if required:
                self.add(where, "is required")
            return []
        if not isinstance(value, list):
            self.add(where, "must be a list")
            return []
        if required and not allow_empty and not value:
            self.add(where, "must not be empty")
        if len(value) > limit:
            self.add(where, f"has {len(value)} items (max {limit})")
        return value

    def text(
        self, obj: Any, where: str, limit: int, *, plain_only: bool = False, required: bool = True
    ) -> None:
        if obj is None:
            if required:
                self.add(where, "is required")
            return
        if not isinstance(obj, dict) or "type" not in obj or "text" not in obj:
            self.add(where, "text object needs 'type' and 'text'")
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj["type"] not in allowed:
            self.add(where, f"type must be {' or '.join(allowed)}, not {obj['type']!r}")
        value = obj["text"]
        if isinstance(value, str) and not value:
            self.add(where, "text is empty")
        else:
            self.length(value, f"{where}.text", limit)

    # -- surfaces --------------------------------------------------------------------------

    def message(self, payload: dict) -> None:
        self.length(payload.get("text"), "text", MAX_MESSAGE_TEXT)
        if payload.get("blocks") is not None:
            self.blocks(payload["blocks"], SURFACE_BLOCK_LIMITS["message"])

    def view(self, view: dict, surface: str) -> None:
        if view.get("type") != surface:
            self.add("view.type", f"must be {surface!r}, not {view.get('type')!r}")
        self.length(view.get("private_metadata"), "view.private_metadata", 3000)
        self.length(view.get("callback_id"), "view.callback_id", 255)
        self.length(view.get("external_id"), "view.external_id", 255)
        blocks = self.blocks(view.get("blocks"), SURFACE_BLOCK_LIMITS[surface])
        if surface != "modal":
            return
        self.text(view.get("title"), "view.title", 24, plain_only=True)
        self.text(view.get("submit"), "view.submit", 24, plain_only=True, required=False)
        self.text(view.get("close"), "view.close", 24, plain_only=True, required=False)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            self.add("view.submit", "is required when the view has an input block")

    def blocks(self, blocks: Any, limit: int) -> list:
        checked = self.items(blocks, "blocks", limit, allow_empty=True)
        for index, block in enumerate(checked):
            self.block(block, f"blocks[{index}]")
        return checked

    # -- blocks ----------------------------------------------------------------------------

    def block(self, block: Any, where: str) -> None:
        if not isinstance(block, dict):
            self.add(where, "block must be an object")
            return
        kind = block.get("type")
        if kind not in KNOWN_BLOCK_TYPES:
            self.add(where, f"unknown block type {kind!r}")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.length(block_id, f"{where}.block_id", 255)
            if block_id in self.block_ids:
                self.add(f"{where}.block_id", f"duplicate block_id {block_id!r}")
            self.block_ids.add(block_id)
        check = getattr(self, f"block_{kind}", None)
        if check is not None:
            check(block, where, set())

    def block_section(self, block: dict, where: str, action_ids: set) -> None:
        if block.get("text") is None and block.get("fields") is None:
            self.add(where, "section needs 'text' or 'fields'")
        self.text(block.get("text"), f"{where}.text", 3000, required=False)
        fields = self.items(block.get("fields"), f"{where}.fields", 10, required=False)
        for index, field in enumerate(fields):
            self.text(field, f"{where}.fields[{index}]", 2000)
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{where}.accessory", action_ids)

    def block_header(self, block: dict, where: str, action_ids: set) -> None:
        self.text(block.get("text"), f"{where}.text", 150, plain_only=True)

    def block_actions(self, block: dict, where: str, action_ids: set) -> None:
        for index, element in enumerate(self.items(block.get("elements"), f"{where}.elements", 25)):
            self.element(element, f"{where}.elements[{index}]", action_ids)

    def block_context(self, block: dict, where: str, action_ids: set) -> None:
        for index, element in enumerate(self.items(block.get("elements"), f"{where}.elements", 10)):
            at = f"{where}.elements[{index}]"
            if isinstance(element, dict) and element.get("type") == "image":
                self.element_image(element, at)
            else:
                self.text(element, at, 3000)

    def block_input(self, block: dict, where: str, action_ids: set) -> None:
        self.text(block.get("label"), f"{where}.label", 2000, plain_only=True)
        self.text(block.get("hint"), f"{where}.hint", 2000, plain_only=True, required=False)
        if block.get("element") is None:
            self.add(f"{where}.element", "is required")
        else:
            self.element(block["element"], f"{where}.element", action_ids)

    def block_image(self, block: dict, where: str, action_ids: set) -> None:
        self.element_image(block, where)
        self.text(block.get("title"), f"{where}.title", 2000, plain_only=True, required=False)

    # -- elements --------------------------------------------------------------------------

    def element(self, element: Any, where: str, action_ids: set) -> None:
        """One interactive element; ``action_ids`` are those already used in the same block."""
        if not isinstance(element, dict):
            self.add(where, "element must be an object")
            return
        action_id = element.get("action_id")
        if action_id is not None:
            self.length(action_id, f"{where}.action_id", 255)
            if action_id in action_ids:
                self.add(f"{where}.action_id", f"duplicate action_id {action_id!r} in one block")
            action_ids.add(action_id)
        self.text(
            element.get("placeholder"), f"{where}.placeholder", 150, plain_only=True, required=False
        )
        kind = element.get("type")
        check = getattr(self, f"element_{kind}", None)
        if check is not None:
            check(element, where)
        elif kind not in PLAIN_ELEMENT_TYPES:
            self.add(where, f"unknown element type {kind!r}")

    def element_button(self, element: dict, where: str) -> None:
        self.text(element.get("text"), f"{where}.text", 75, plain_only=True)
        self.length(element.get("value"), f"{where}.value", 2000)
        self.length(element.get("url"), f"{where}.url", 3000)
        if element.get("style") not in (None, "primary", "danger"):
            self.add(f"{where}.style", f"must be 'primary' or 'danger', not {element['style']!r}")

    def element_image(self, element: dict, where: str) -> None:
        if element.get("image_url") is None and element.get("slack_file") is None:
            self.add(where, "image needs 'image_url' or 'slack_file'")
        self.length(element.get("image_url"), f"{where}.image_url", 3000)
        if element.get("alt_text") is None:
            self.add(f"{where}.alt_text", "is required")
        self.length(element.get("alt_text"), f"{where}.alt_text", 2000)

    def element_static_select(self, element: dict, where: str) -> None:
        options, groups = element.get("options"), element.get("option_groups")
        if (options is None) == (groups is None):
            self.add(where, "needs exactly one of 'options' and 'option_groups'")
        self.options(options, f"{where}.options", 100, required=False)
        for index, group in enumerate(
            self.items(groups, f"{where}.option_groups", 100, required=False)
        ):
            at = f"{where}.option_groups[{index}]"
            if not isinstance(group, dict):
                self.add(at, "option group must be an object")
                continue
            self.text(group.get("label"), f"{at}.label", 75, plain_only=True)
            self.options(group.get("options"), f"{at}.options", 100)

    element_multi_static_select = element_static_select

    def element_overflow(self, element: dict, where: str) -> None:
        self.options(element.get("options"), f"{where}.options", 5)

    def element_radio_buttons(self, element: dict, where: str) -> None:
        self.options(element.get("options"), f"{where}.options", 10, plain_only=False)

    element_checkboxes = element_radio_buttons

    def element_plain_text_input(self, element: dict, where: str) -> None:
        for key in ("min_length", "max_length"):
            value = element.get(key)
            if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                self.add(f"{where}.{key}", f"must be an integer from 0 to 3000, not {value!r}")
        self.length(element.get("initial_value"), f"{where}.initial_value", 3000)

    def options(
        self,
        options: Any,
        where: str,
        limit: int,
        *,
        required: bool = True,
        plain_only: bool = True,
    ) -> None:
        for index, option in enumerate(self.items(options, where, limit, required=required)):
            at = f"{where}[{index}]"
            if not isinstance(option, dict):
                self.add(at, "option must be an object")
                continue
            self.text(option.get("text"), f"{at}.text", 75, plain_only=plain_only)
            self.text(
                option.get("description"),
                f"{at}.description",
                75,
                plain_only=plain_only,
                required=False,
            )
            if option.get("value") is None:
                self.add(f"{at}.value", "is required")
            self.length(option.get("value"), f"{at}.value", 150)
            self.length(option.get("url"), f"{at}.url", 3000)
