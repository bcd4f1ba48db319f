"""The fake Slack answers a real slack_sdk WebClient the way Slack does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as server:
        server.add_user("U1", name="ana", real_name="Ana Lima", email="ana@example.org")
        server.add_user("U2", name="ben", tz="America/New_York", tz_offset=-18000)
        server.add_user("U3", name="cem", deleted=True)
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.base_url, retry_handlers=[])


def test_post_then_update_edits_the_message_in_place(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="Hello", blocks=[{"type": "divider"}])
    assert posted["channel"] == "C1" and posted["message"]["text"] == "Hello"

    client.chat_update(channel="C1", ts=posted["ts"], text="Edited")

    [message] = fake.messages["C1"]
    assert (message["ts"], message["text"]) == (posted["ts"], "Edited")
    assert message["blocks"] == [{"type": "divider"}]  # kept: update did not pass blocks
    assert (
        fake.calls_to("chat.postMessage")[0].headers["content-type"].startswith("application/json")
    )


def test_message_ts_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]
    assert stamps == sorted(set(stamps)) and len(stamps) == 3


def test_update_and_delete_need_an_existing_message(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C1", ts="1.000000", text="x")
    assert missing.value.response["error"] == "message_not_found"

    ts = client.chat_postMessage(channel="C1", text="bye")["ts"]
    client.chat_delete(channel="C1", ts=ts)
    assert fake.messages["C1"] == []


def test_post_without_content_is_no_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error, pytest.warns(UserWarning, match="`text`"):
        client.chat_postMessage(channel="C1")
    assert error.value.response["error"] == "no_text"


def test_post_to_a_user_lands_in_the_dm_that_conversations_open_returns(
    fake: FakeSlack, client: WebClient
) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    posted = client.chat_postMessage(channel="U1", text="hi")
    assert dm.startswith("D") and posted["channel"] == dm
    assert fake.messages[dm][0]["text"] == "hi"

    with pytest.raises(SlackApiError) as unknown:
        client.chat_postMessage(channel="U404", text="hi")
    assert unknown.value.response["error"] == "channel_not_found"


def test_conversations_open_is_deterministic(client: WebClient) -> None:
    group = client.conversations_open(users="U1,U2")["channel"]["id"]
    assert client.conversations_open(users=["U2", "U1"])["channel"]["id"] == group
    assert group != client.conversations_open(users="U1")["channel"]["id"]
    with FakeSlack(bot_token=TOKEN) as other:
        other.add_user("U1", name="ana")
        other.add_user("U2", name="ben")
        again = WebClient(token=TOKEN, base_url=other.base_url).conversations_open(users="U1,U2")
        assert again["channel"]["id"] == group


@pytest.mark.parametrize(
    ("users", "error"), [("U1,U404", "user_not_found"), ("U3", "user_disabled")]
)
def test_conversations_open_refuses_unknown_and_deactivated_users(
    client: WebClient, users: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.conversations_open(users=users)
    assert refused.value.response["error"] == error


def test_users_info_and_lookup(client: WebClient) -> None:
    user = client.users_info(user="U2")["user"]
    assert (user["tz"], user["tz_offset"], user["deleted"]) == ("America/New_York", -18000, False)
    assert client.users_info(user="U3")["user"]["deleted"] is True
    assert (
        client.users_lookupByEmail(email="ana@example.org")["user"]["profile"]["real_name"]
        == "Ana Lima"
    )
    for call, error in [
        (lambda: client.users_info(user="U404"), "user_not_found"),
        (lambda: client.users_lookupByEmail(email="nobody@example.org"), "users_not_found"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            call()
        assert refused.value.response["error"] == error


@pytest.mark.parametrize(
    ("token", "error"),
    [(None, "not_authed"), ("xoxb-wrong", "invalid_auth"), ("xapp-test", "not_allowed_token_type")],
)
def test_auth_errors(fake: FakeSlack, token: str | None, error: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=token, base_url=fake.base_url).auth_test()
    assert refused.value.response["error"] == error


def test_app_token_opens_a_socket_mode_connection_and_token_param_works(fake: FakeSlack) -> None:
    app_client = WebClient(token="xapp-test", base_url=fake.base_url)
    assert app_client.apps_connections_open(app_token="xapp-test")["url"].startswith(
        "ws://127.0.0.1:"
    )
    assert WebClient(base_url=fake.base_url).api_call("auth.test", params={"token": TOKEN})["ok"]


def test_unknown_method_is_recorded(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.api_call("reactions.add", params={"name": "tada"})
    assert refused.value.response["error"] == "unknown_method"
    assert fake.calls_to("reactions.add")[0].params == {"name": "tada"}


def test_fail_answers_the_error_then_recovers(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", "channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel="C1", text="x")
        assert refused.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_http_error_raises_and_is_retried_by_server_error_handler(fake: FakeSlack) -> None:
    fake.http_error("auth.test", 503)
    plain = WebClient(token=TOKEN, base_url=fake.base_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as failed:
        plain.auth_test()
    assert failed.value.response.status_code == 503

    fake.http_error("auth.test", 500)
    retrying = WebClient(
        token=TOKEN,
        base_url=fake.base_url,
        retry_handlers=[ServerErrorRetryHandler(1, FixedValueRetryIntervalCalculator(0.01))],
    )
    assert retrying.auth_test()["ok"]
    assert [call.status for call in fake.calls_to("auth.test")] == [503, 500, 200]


def test_rate_limit_without_retry_handler_shows_status_and_retry_after(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"


def test_rate_limit_with_retry_handler_waits_retry_after(fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", retry_after=1)
    retrying = WebClient(
        token=TOKEN,
        base_url=fake.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    first, second = fake.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1


def test_delay_provokes_a_client_timeout(fake: FakeSlack) -> None:
    fake.delay("auth.test", 1.0)
    impatient = WebClient(token=TOKEN, base_url=fake.base_url, timeout=0.2, retry_handlers=[])
    with pytest.raises((TimeoutError, URLError)):
        impatient.auth_test()
    assert impatient.auth_test()["ok"]  # only the first call was delayed


def test_too_many_blocks_are_refused_and_reported(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 51)
    assert refused.value.response["error"] == "invalid_blocks"
    assert fake.violations == ["chat.postMessage: blocks: has 51 items (max 50)"]
    assert "C1" not in fake.messages


def test_views_are_checked_stored_and_updated(fake: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Enrol"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=modal)["view"]
    assert opened["id"].startswith("V") and fake.views[opened["id"]]["title"]["text"] == "Enrol"

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert stale.value.response["error"] == "hash_conflict"

    with pytest.raises(SlackApiError) as refused:
        client.views_open(
            trigger_id="t", view={**modal, "title": {"type": "plain_text", "text": "x" * 25}}
        )
    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] view.title.text: is 25 chars (max 24)"
    ]


def test_home_tab_is_kept_per_user(fake: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    second = client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}]}
    )
    assert second["view"]["id"] == first["id"]
    assert fake.home_views["U1"]["blocks"] == [{"type": "divider"}]


def test_files_upload_v2_stores_the_bytes(fake: FakeSlack, client: WebClient) -> None:
    done = client.files_upload_v2(
        content=b"pair,minutes\n1,60\n",
        filename="report.csv",
        title="Report",
        channel="C1",
        initial_comment="Monthly report",
    )
    [stored] = fake.files.values()
    assert stored["content"] == b"pair,minutes\n1,60\n"
    assert (stored["filename"], stored["title"], stored["channel_id"]) == (
        "report.csv",
        "Report",
        "C1",
    )
    assert stored["initial_comment"] == "Monthly report"
    assert done["file"]["id"] in fake.files
    [upload] = fake.calls_to("upload")
    assert upload.response == {"body": "OK - 18"}


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    answer = WebhookClient(url).send(text="Done", replace_original=True)
    assert answer.status_code == 200
    [call] = fake.calls_to("response_url")
    assert call.params == {"text": "Done", "replace_original": True}
    assert WebhookClient(fake.root_url + "response/unknown").send(text="x").status_code == 404


def test_wait_for_sees_calls_made_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C1", text="later")

    threading.Thread(target=later).start()
    [call] = fake.wait_for("chat.postMessage", timeout=5)
    assert call.params["text"] == "later"
    with pytest.raises(AssertionError, match=r"expected 2 call\(s\) to chat.postMessage"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.2)


def test_reset_forgets_calls_but_keeps_users(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.fail("auth.test", "fatal_error")
    fake.reset()
    assert fake.calls == [] and fake.messages == {}
    assert client.auth_test()["ok"] and client.users_info(user="U1")["ok"]


def test_ephemeral_and_permalink(client: WebClient) -> None:
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith("/archives/C1/p" + ts.replace(".", ""))


def test_views_update_by_external_id_and_push(fake: FakeSlack, client: WebClient) -> None:
    title = {"type": "plain_text", "text": "Step"}
    modal = {"type": "modal", "title": title, "blocks": [], "external_id": "enrol-U1"}
    opened = client.views_open(trigger_id="t1", view=modal)["view"]
    updated = client.views_update(external_id="enrol-U1", view=modal)["view"]
    assert updated["id"] == opened["id"]
    pushed = client.views_push(trigger_id="t2", view={**modal, "external_id": "second"})["view"]
    assert pushed["id"] != opened["id"]
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id="", view=modal)
    assert refused.value.response["error"] == "invalid_arguments"


def test_bot_token_cannot_open_a_socket_mode_connection(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.apps_connections_open(app_token=TOKEN)
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_invalid_blocks_on_a_response_url(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    answer = WebhookClient(url).send(text="x", blocks=[{"type": "header"}])
    assert answer.status_code == 200 and json.loads(answer.body)["error"] == "invalid_blocks"
    assert fake.violations == ["response_url: blocks[0].text: is required"]


def test_a_request_the_fake_cannot_digest_answers_500(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as failed:
        client.api_call("files.completeUploadExternal", params={"files": "[1]"})
    assert failed.value.response.status_code == 500
    assert "AttributeError" in failed.value.response["fake"]
    assert client.auth_test()["ok"]


def test_history_pages_newest_first_from_oldest_with_metadata_on_request(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.clock = lambda: 1_800_000_000.0
    stamps = [
        client.chat_postMessage(
            channel="G1", text=str(n), metadata={"event_type": "e", "event_payload": {"n": n}}
        )["ts"]
        for n in range(5)
    ]
    assert float(stamps[0]) >= 1_800_000_000.0 and stamps == sorted(set(stamps))

    first = client.conversations_history(
        channel="G1", oldest=stamps[1], inclusive=True, limit=2, include_all_metadata=True
    )
    assert [m["text"] for m in first["messages"]] == ["4", "3"]
    assert first["messages"][0]["metadata"]["event_payload"] == {"n": 4}
    cursor = first["response_metadata"]["next_cursor"]
    assert first["has_more"] and cursor
    rest = client.conversations_history(
        channel="G1", oldest=stamps[1], inclusive=True, limit=2, cursor=cursor
    )
    assert [m["text"] for m in rest["messages"]] == ["2", "1"]  # inclusive of `oldest`
    assert "metadata" not in rest["messages"][0]  # only with include_all_metadata
    assert not rest["has_more"]
    newer = client.conversations_history(channel="G1", oldest=stamps[1])
    assert [m["text"] for m in newer["messages"]] == ["4", "3", "2"]
    with pytest.raises(SlackApiError) as refused:
        client.conversations_history(channel="U1")
    assert refused.value.response["error"] == "channel_not_found"
    assert fake.arrived["conversations.history"] == 4
