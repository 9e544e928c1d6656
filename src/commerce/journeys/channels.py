"""The marketing channel of a touch: one ordered rule table, first match wins.

| # | channel        | when                                                                |
|---|----------------|---------------------------------------------------------------------|
| 1 | affiliate      | an affiliate ref, or utm_medium affiliate / partner / cashback      |
| 2 | paid_search    | gclid or msclkid, or a paid medium (cpc, ppc, paid_search, sem,     |
|   |                | paid) whose source is not a social network                          |
| 3 | paid_social    | fbclid or ttclid, or utm_medium paid_social / paidsocial, or a paid |
|   |                | medium whose source is a social network                             |
| 4 | email          | utm_medium email / e-mail / newsletter                              |
| 5 | display        | utm_medium display / banner / cpm                                   |
| 6 | social         | utm_medium social, or a referrer host of a social network           |
| 7 | organic_search | a referrer host of a search engine (or utm_medium organic)          |
| 8 | referral       | any other referrer host, or a utm_source without a known medium     |
| 9 | mobile_app     | no campaign data at all, on the MOBILE sales channel (an app)       |
|10 | direct         | nothing of the above                                                |

Media are compared case-insensitively. Rules 1 to 5 follow GA4's default channel
grouping where it has one; the order puts money spent (affiliate commissions, clicks
bought) ahead of what a referrer header says, as an ad click's landing page is often
reached through a redirect that has its own referrer.
"""

from __future__ import annotations

from commerce.journeys.model import ClickIdKind, TouchContext
from commerce.principals import Channel

AFFILIATE_MEDIA = frozenset({"affiliate", "affiliates", "partner", "cashback"})
PAID_MEDIA = frozenset({"cpc", "ppc", "paid_search", "paidsearch", "sem", "paid"})
PAID_SOCIAL_MEDIA = frozenset({"paid_social", "paidsocial", "social_paid"})
EMAIL_MEDIA = frozenset({"email", "e-mail", "newsletter"})
DISPLAY_MEDIA = frozenset({"display", "banner", "cpm"})
SOCIAL_SITES = frozenset(
    {
        "facebook",
        "instagram",
        "tiktok",
        "twitter",
        "x",
        "linkedin",
        "pinterest",
        "reddit",
        "youtube",
        "snapchat",
        "threads",
        "t",
    }
)
SEARCH_ENGINES = frozenset(
    {"google", "bing", "duckduckgo", "yahoo", "ecosia", "baidu", "yandex", "qwant", "startpage"}
)

CHANNELS = (
    "affiliate",
    "paid_search",
    "paid_social",
    "email",
    "display",
    "social",
    "organic_search",
    "referral",
    "mobile_app",
    "direct",
)


def _site(name: str | None) -> str | None:
    """The brand in a host or a utm_source: ``www.google.co.uk`` and ``Google`` → ``google``."""
    if not name:
        return None
    parts = [p for p in name.lower().split(".") if p and p not in {"www", "m", "l", "lm"}]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    # The label before the public suffix (co.uk, com.au and the like have two labels).
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in {"co", "com", "org", "net"}:
        return parts[-3]
    return parts[-2]


def marketing_channel(
    touch: TouchContext, sales_channel: Channel, own_hosts: frozenset[str]
) -> str:
    """The channel of one touch (see the table above); ``own_hosts`` are the store's own
    sites, whose referrers are internal navigation, not referrals."""
    medium = (touch.utm_medium or "").strip().lower()
    source_site = _site(touch.utm_source)
    referrer = touch.referrer_host if touch.referrer_host not in own_hosts else None
    referrer_site = _site(referrer)
    click = touch.click_id_kind
    social_source = source_site in SOCIAL_SITES or referrer_site in SOCIAL_SITES
    if touch.affiliate_id or medium in AFFILIATE_MEDIA:
        return "affiliate"
    if click in (ClickIdKind.GCLID, ClickIdKind.MSCLKID) or (
        medium in PAID_MEDIA and not social_source
    ):
        return "paid_search"
    if (
        click in (ClickIdKind.FBCLID, ClickIdKind.TTCLID)
        or medium in PAID_SOCIAL_MEDIA
        or (medium in PAID_MEDIA and social_source)
    ):
        return "paid_social"
    if medium in EMAIL_MEDIA:
        return "email"
    if medium in DISPLAY_MEDIA:
        return "display"
    if medium == "social" or referrer_site in SOCIAL_SITES:
        return "social"
    if medium == "organic" or referrer_site in SEARCH_ENGINES:
        return "organic_search"
    if referrer_site is not None or touch.utm_source:
        return "referral"
    if sales_channel is Channel.MOBILE:
        return "mobile_app"
    return "direct"
