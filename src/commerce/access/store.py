"""API key records in the single table.

Keys (see ``docs/data-model.md``):

- ``APIKEY#<prefix> / APIKEY``: one key, found by the prefix every request carries
- GSI1 ``APIKEYS / <created_at>#<prefix>``: every key, oldest first, for listing
- GSI2 ``PARTNER#<partner id>#APIKEYS / <created_at>#<prefix>``: one partner's keys
- ``PARTNER#<id> / PARTNER``: a partner (affiliate) account
- GSI1 ``PARTNERS / <created_at>#<id>``: every partner, oldest first, for staff
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute

from commerce.access.model import ApiKey, Partner, Scope, default_channel
from commerce.db.table import TableItem
from commerce.principals import Channel

KEYS_PARTITION = "APIKEYS"
PARTNERS_PARTITION = "PARTNERS"


def api_key_pk(prefix: str) -> str:
    return f"APIKEY#{prefix}"


class ApiKeyItem(TableItem, discriminator="ApiKey"):
    """An API key: its hash, scopes and state, never its plaintext."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    digest = UnicodeAttribute()
    scopes = UnicodeSetAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)
    partner_id = UnicodeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    # The sales channel's name; keys stored before channels existed have none (see _channel).
    channel = UnicodeAttribute(null=True)


class PartnerItem(TableItem, discriminator="Partner"):
    """An affiliate partner account."""

    partner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


def partner_pk(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def partner_keys_partition(partner_id: str) -> str:
    return f"PARTNER#{partner_id}#APIKEYS"


def _channel(item: ApiKeyItem) -> Channel:
    """The key's channel; a key stored without one prices as it did then (partner or web)."""
    if item.channel is not None:
        return Channel(item.channel)
    return default_channel(item.partner_id)


def _to_domain(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        id=item.key_id,
        name=item.name,
        prefix=item.prefix,
        scopes=frozenset(Scope(s) for s in item.scopes),
        created_at=item.created_at,
        revoked_at=item.revoked_at,
        last_used_at=item.last_used_at,
        partner_id=item.partner_id,
        expires_at=item.expires_at,
        channel=_channel(item),
    )


def insert_key(key: ApiKey, digest: str) -> bool:
    """Store a new key; False if its prefix is already taken (the caller makes another)."""
    item = ApiKeyItem(
        pk=api_key_pk(key.prefix),
        sk="APIKEY",
        gsi1pk=KEYS_PARTITION,
        gsi1sk=f"{key.created_at.isoformat()}#{key.prefix}",
        key_id=key.id,
        name=key.name,
        prefix=key.prefix,
        digest=digest,
        scopes={s.value for s in key.scopes},
        created_at=key.created_at,
        partner_id=key.partner_id,
        expires_at=key.expires_at,
        channel=key.channel.value,
    )
    if key.partner_id is not None:
        item.gsi2pk = partner_keys_partition(key.partner_id)
        item.gsi2sk = f"{key.created_at.isoformat()}#{key.prefix}"
    try:
        item.save(condition=ApiKeyItem.pk.does_not_exist())
    except Exception as exc:
        if _is_condition_failure(exc):
            return False
        raise
    return True


def get_key(prefix: str) -> tuple[ApiKey, str] | None:
    """A key and its stored digest, by prefix."""
    try:
        item = ApiKeyItem.get(api_key_pk(prefix), "APIKEY")
    except ApiKeyItem.DoesNotExist:
        return None
    return _to_domain(item), str(item.digest)


def list_keys() -> list[ApiKey]:
    """Every key, oldest first."""
    return [
        _to_domain(item)
        for item in TableItem.gsi1.query(KEYS_PARTITION)
        if isinstance(item, ApiKeyItem)
    ]


def list_partner_keys(partner_id: str) -> list[ApiKey]:
    """One partner's keys, oldest first."""
    return [
        _to_domain(item)
        for item in TableItem.gsi2.query(partner_keys_partition(partner_id))
        if isinstance(item, ApiKeyItem)
    ]


def insert_partner(partner: Partner) -> None:
    """Store a new partner (ids are fresh, so the condition only guards against a bug)."""
    PartnerItem(
        pk=partner_pk(partner.id),
        sk="PARTNER",
        gsi1pk=PARTNERS_PARTITION,
        gsi1sk=f"{partner.created_at.isoformat()}#{partner.id}",
        partner_id=partner.id,
        name=partner.name,
        email=partner.email,
        created_at=partner.created_at,
    ).save(condition=PartnerItem.pk.does_not_exist())


def _partner(item: PartnerItem) -> Partner:
    return Partner(item.partner_id, item.name, item.email, item.created_at)


def get_partner(partner_id: str) -> Partner | None:
    """A partner by id."""
    try:
        return _partner(PartnerItem.get(partner_pk(partner_id), "PARTNER"))
    except PartnerItem.DoesNotExist:
        return None


def list_partners() -> list[Partner]:
    """Every partner, oldest first."""
    return [
        _partner(item)
        for item in TableItem.gsi1.query(PARTNERS_PARTITION)
        if isinstance(item, PartnerItem)
    ]


def mark_revoked(prefix: str, when: datetime) -> ApiKey | None:
    """Revoke a key now (idempotent: a revoked key keeps its first revocation time)."""
    item = ApiKeyItem(pk=api_key_pk(prefix), sk="APIKEY")
    try:
        item.update(
            actions=[ApiKeyItem.revoked_at.set(ApiKeyItem.revoked_at | when)],
            condition=ApiKeyItem.pk.exists(),
        )
    except Exception as exc:
        if _is_condition_failure(exc):
            return None
        raise
    return _to_domain(item)


def touch_last_used(prefix: str, when: datetime) -> None:
    """Record when a key was last used."""
    ApiKeyItem(pk=api_key_pk(prefix), sk="APIKEY").update(
        actions=[ApiKeyItem.last_used_at.set(when)], condition=ApiKeyItem.pk.exists()
    )


def _is_condition_failure(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"
