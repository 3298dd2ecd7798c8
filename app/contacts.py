"""Contact lists of fans and their members, with CSV import and export.

A CSV import is all or nothing: every row is checked as a contact created by hand is, and one bad
row refuses the file with the row numbers and reasons, writing nothing; the rows go in with one
bulk create (``EntityService.create_many``'s path).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from ..local_db.models import ContactList, ContactListMember
from .entity_service import EntityService, ListQuery
from .errors import ValidationFailed

CSV_COLUMNS = ("name", "email", "phone", "opted_in_email", "opted_in_sms")
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"0", "false", "no", "n", ""}


class ContactListService(EntityService[ContactList]):
    entity_type = "contact_lists"
    table = ContactList
    label = "contact list"
    search_columns = ("name", "description")
    default_order = ("name",)


class ContactMemberService(EntityService[ContactListMember]):
    entity_type = "contact_list_members"
    table = ContactListMember
    label = "contact"
    search_columns = ("name", "email", "phone")
    default_order = ("name", "email")

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: ContactListMember | None) -> None:
        if session.get(ContactList, data["list_id"]) is None:
            raise ValidationFailed({"list_id": "the contact list does not exist"})
        if not (data.get("email") or data.get("phone") or data.get("name")):
            raise ValidationFailed({"__root__": "a contact needs at least a name, an email or a phone number"})
        email = data.get("email")
        if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
            raise ValidationFailed({"email": f"{email!r} is not an email address"})

    def members(self, list_id: str, search: str | None = None) -> list[ContactListMember]:
        return self.list(ListQuery(filters={"list_id": list_id}, search=search))

    def export_csv(self, list_id: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for m in self.members(list_id):
            writer.writerow(
                [
                    m.name or "",
                    m.email or "",
                    m.phone or "",
                    "yes" if m.opted_in_email else "no",
                    "yes" if m.opted_in_sms else "no",
                ]
            )
        return out.getvalue()

    def import_csv(self, list_id: str, text: str) -> int:
        """Add every row of a CSV (header: name,email,phone,opted_in_email,opted_in_sms); all or nothing."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if not header or not ({"email", "phone", "name"} & set(header)):
            raise ValidationFailed({"file": "the CSV needs a header row with at least one of name, email, phone"})
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if unknown:
            raise ValidationFailed(
                {"file": f"unknown columns: {', '.join(unknown)} (expected {', '.join(CSV_COLUMNS)})"}
            )
        items: list[dict[str, Any] | None] = []
        errors: dict[int, str] = {}
        for index, raw in enumerate(reader):
            record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
            number = index + 2
            try:
                items.append(
                    {
                        "list_id": list_id,
                        "name": record.get("name") or None,
                        "email": record.get("email") or None,
                        "phone": record.get("phone") or None,
                        "opted_in_email": parse_flag(record.get("opted_in_email"), "opted_in_email", number),
                        "opted_in_sms": parse_flag(record.get("opted_in_sms"), "opted_in_sms", number),
                    }
                )
            except ValidationFailed as exc:
                items.append(None)
                errors[index] = str(exc)
        datas, refused = self.validate_many(items)
        errors.update(refused)
        return len(self.insert_many(datas, errors, where=lambda i: f"row {i + 2}"))


def parse_flag(value: str | None, column: str, row: int) -> bool:
    """A yes/no CSV cell; empty means yes (opted in, the seed's default)."""
    text = (value or "").strip().lower()
    if text == "" or text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationFailed({column: f"must be yes or no, not {value!r} (row {row})"})
