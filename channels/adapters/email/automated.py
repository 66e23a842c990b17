"""Mail a machine wrote (auto-replies, bounces, bulk mail) never opens a ticket: `automated_reason` says why."""

from __future__ import annotations

import email.message

from .headers import Headers, param

_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


def automated_reason(msg: email.message.Message, headers: Headers, author_address: str) -> str:
    """Why this message was written by a machine (auto-reply, bounce, bulk), or "" when a person wrote it."""
    auto = headers.text("Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = headers.text(name).strip().lower()
        if headers.has(name) and value not in ("no", "false", "0"):
            return f"auto-reply ({name}: {value or 'present'})"
    precedence = headers.text("Precedence").strip().lower()
    if precedence in ("bulk", "junk"):
        return f"bulk mail (Precedence: {precedence})"
    content_type = msg.get_content_type()
    if content_type in ("multipart/report", "message/delivery-status", "message/disposition-notification"):
        report = param(msg, "report-type")
        return f"bounce or receipt ({content_type}{f'; report-type={report}' if report else ''})"
    local = author_address.split("@", 1)[0]
    if local in _BOUNCE_SENDERS:
        return f"bounce (From: {author_address})"
    if headers.has("X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if headers.has("Return-Path") and headers.text("Return-Path").replace(" ", "") == "<>":
        return "bounce or notification (null sender, Return-Path: <>)"
    return ""
