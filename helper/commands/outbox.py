"""``outbox list [--json]`` and ``outbox send [--json] [--include-rejected]``.

For administrators and support: see what has not reached intellekta yet, and send it now.
Both exit 0 when no record is left pending and 4 (PENDING) otherwise, so a scheduled task
can tell "all delivered" from "try again later". A person running ``send`` also retries
the records the server did not authorise, which automatic sends leave until the access
changes.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from helper import i18n
from helper.config import Config
from helper.consent.session_id import format_session_id
from helper.exitcodes import ExitCode
from helper.intake import (
    Delivery,
    DeliveryState,
    Outbox,
    OutboxRecord,
    Reason,
    Receipts,
    RecordState,
    Summary,
    send_pending,
    undelivered,
)
from helper.intake.receipts import local_time


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("outbox", help=i18n.t("intake.cli.help_outbox", lang))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("list", help=i18n.t("intake.cli.help_list", lang))
    show.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    show.set_defaults(run=run_list)
    send = actions.add_parser("send", help=i18n.t("intake.cli.help_send", lang))
    send.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    send.add_argument(
        "--include-rejected",
        action="store_true",
        help=i18n.t("intake.cli.help_include_rejected", lang),
    )
    send.set_defaults(run=run_send)


def run_list(args: argparse.Namespace, config: Config) -> int:
    records = undelivered(Outbox(config.data_dir), Receipts(config.data_dir))
    if args.json:
        print(json.dumps({"records": [r.as_json() for r in records]}, indent=2, ensure_ascii=False))
    elif records:
        print(i18n.t("intake.cli.list_header", config.language, count=len(records)))
        _print_records(records, config.language)
    else:
        print(i18n.t("intake.cli.list_empty", config.language))
    return _exit_code(sum(r.state.waiting for r in records))


def run_send(args: argparse.Namespace, config: Config) -> int:
    lang = config.language
    outbox = Outbox(config.data_dir)
    summary = send_pending(config, outbox, args.include_rejected, every_waiting=True)
    if args.json:
        report = {
            "delivered": len(summary.delivered),
            "pending": summary.pending,
            "rejected": summary.rejected,
            "results": [_as_json(d, True, lang) for d in summary.results]
            + [_as_json(_untried(r), False, lang) for r in summary.not_tried()],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_summary(summary, lang)
    return _exit_code(summary.pending)


def _untried(record: OutboxRecord) -> Delivery:
    """A waiting record this run did not try, as a delivery that says why it waits."""
    waits_for_access = record.state is RecordState.NOT_AUTHORISED
    reason = Reason.NOT_AUTHORISED if waits_for_access else Reason.NOT_TRIED
    return Delivery(
        record.submission_id,
        DeliveryState.PENDING,
        reason,
        http_status=record.http_status,
        server_message=record.server_message,
    )


def _as_json(delivery: Delivery, tried: bool, lang: str) -> dict[str, Any]:
    return {
        "submission_id": delivery.submission_id,
        "state": delivery.state.value,
        "reason": delivery.reason.value,
        "tried": tried,
        "receipt_id": delivery.receipt_id,
        "http_status": delivery.http_status,
        "attempts": delivery.attempts,
        "message": delivery.message(lang),
    }


def _print_summary(summary: Summary, lang: str) -> None:
    stopped_by = summary.stopped_by
    for delivery in summary.results:
        if delivery.state is DeliveryState.DELIVERED:
            sid, reference = delivery.submission_id, delivery.reference
            print(i18n.t("intake.cli.delivered_line", lang, submission_id=sid, reference=reference))
        elif delivery.reason is not Reason.BUSY and delivery is not stopped_by:
            print(delivery.message(lang))  # about this one record: damaged, refused
    if stopped_by is not None:
        why = i18n.t(
            f"intake.cli.why.{stopped_by.reason.value}", lang, status=stopped_by.http_status or ""
        )
        print(i18n.t("intake.cli.stopped", lang, why=why))
    if summary.waiting:
        print(i18n.t("intake.cli.still_waiting", lang, count=summary.pending))
        _print_records(list(summary.waiting), lang)
    print(
        i18n.t(
            "intake.cli.send_summary",
            lang,
            delivered=len(summary.delivered),
            pending=summary.pending,
            rejected=summary.rejected,
        )
    )


def _print_records(records: list[OutboxRecord], lang: str) -> None:
    for record in records:
        state = i18n.t(f"intake.cli.state_{record.state.value}", lang)
        created = local_time(record.created_at, lang)
        line = i18n.t(
            "intake.cli.list_line",
            lang,
            created_at=created,
            session_id=format_session_id(record.session_id),
            state=state,
            attempts=record.attempts,
        )
        print(line)
        if record.last_error:
            print(i18n.t("intake.cli.list_problem", lang, problem=record.last_error))


def _exit_code(pending: int) -> int:
    return ExitCode.PENDING if pending else ExitCode.OK
