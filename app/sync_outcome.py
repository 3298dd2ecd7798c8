"""What a finished sync did not do, in words: the files and changes not sent, the versions not applied.

A sync that did not send (or receive) everything is not a success. The command line lists these
lines and exits with 3 (``sync_commands.EXIT_INCOMPLETE``); the desktop shows them in a warning strip. Each line
names the file or the item (its title) and the reason; the advice says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema.wire import ERR_DAILY_UPLOAD_LIMIT_EXCEEDED, ERR_STORAGE_QUOTA_EXCEEDED
from ..sync.engine import SyncSummary
from .sync_words import count_of, entity_name


@dataclass(frozen=True)
class Incomplete:
    """What a sync left undone: ``headline`` (one sentence), one line per file or item, ``advice``."""

    headline: str
    lines: list[str]
    advice: str

    def text(self) -> str:
        return "\n".join([self.headline, *(f"  {line}" for line in self.lines), self.advice])


def _entity(summary: SyncSummary, entity_type: str, entity_id: str) -> str:
    label = summary.labels.get(f"{entity_type}/{entity_id}") or entity_id[:8]
    return f"{entity_name(entity_type)} “{label}”"


def _advice(summary: SyncSummary) -> str:
    said = (" ".join(r.reason for r in summary.refused) + " " + " ".join(r for _, r in summary.not_uploaded)).lower()
    advice: list[str] = []
    if ERR_DAILY_UPLOAD_LIMIT_EXCEEDED in said or "upload limit" in said:
        advice.append("The server's daily upload limit is reached: sync again tomorrow to send the rest.")
    elif ERR_STORAGE_QUOTA_EXCEEDED in said or "storage" in said or "quota" in said:
        advice.append("Your space on the server is full: delete files you no longer need there, then sync again.")
    elif summary.refused or summary.not_uploaded:
        advice.append("Correct what the server did not accept, then sync again.")
    if summary.file_errors:
        if any("free space" in reason for _, reason in summary.file_errors):
            advice.append("Free some space on this computer's disk, then sync again to download the rest.")
        else:
            advice.append("Sync again to download the files that did not come down.")
    if summary.unusable:
        advice.append("Items this version of Gigbag cannot read are kept and applied by a later sync: update Gigbag.")
    advice.append("Everything else is synced; nothing was lost.")
    return " ".join(advice)


def _names(names: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def _by_reason(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    """{reason: [names]} in the order first seen, each name once."""
    out: dict[str, list[str]] = {}
    for name, reason in items:
        names = out.setdefault(reason, [])
        if name not in names:
            names.append(name)
    return out


def incomplete(summary: SyncSummary) -> Incomplete | None:
    """What ``summary``'s sync did not do, or None when it sent and received everything."""
    if summary.complete:
        return None
    lines: list[str] = []
    not_uploaded = _by_reason(summary.not_uploaded)
    for reason, names in not_uploaded.items():
        lines.append(f"Not uploaded: {_names(names)} — {reason}")
    # A change refused because its file could not go up waits for that file (said above).
    file_reasons = {reason for _, reason in summary.not_uploaded}
    waiting = [r for r in summary.refused if any(reason in r.reason for reason in file_reasons)]
    refused = [r for r in summary.refused if r not in waiting]
    for refusal in refused:
        lines.append(f"Not sent: the {_entity(summary, refusal.entity_type, refusal.entity_id)} — {refusal.reason}")
    if waiting:
        verb = "waits" if len(waiting) == 1 else "wait"
        lines.append(f"{count_of(len(waiting), 'item')} that use these files {verb} for them and go up with them.")
    downloads = [(summary.labels.get(sha, sha[:12] + "…"), reason) for sha, reason in summary.file_errors]
    for reason, names in _by_reason(downloads).items():
        lines.append(f"Not downloaded: {_names(names)} — {reason}")
    for (entity_type, entity_id), reason in summary.unusable:
        lines.append(f"Not applied: the {_entity(summary, entity_type, entity_id)} — {reason}")
    parts: list[str] = []
    files_up = sum(len(names) for names in not_uploaded.values())
    if files_up:
        parts.append(f"{count_of(files_up, 'file')} not uploaded")
    if refused:
        parts.append(f"{count_of(len(refused), 'change')} not sent")
    if summary.file_errors:
        parts.append(f"{count_of(len(summary.file_errors), 'file')} not downloaded")
    if summary.unusable:
        parts.append(f"{count_of(len(summary.unusable), 'item')} from the server not applied")
    if not parts:  # refusals that all wait for files whose upload failed in an earlier step
        parts.append(f"{count_of(len(summary.refused), 'change')} not sent")
    headline = "Sync incomplete: " + ", ".join(parts) + "."
    return Incomplete(headline, lines, _advice(summary))
