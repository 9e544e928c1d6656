"""Plain-text templates, one per ``TemplateName``.

``string.Template`` rather than a template engine: the messages are short, and a missing
value must fail delivery loudly (``RenderError``) instead of sending "Hello ${name}".
"""

from __future__ import annotations

from string import Template

from commerce.notifications.model import Channel, Message, Notification, TemplateName


class RenderError(ValueError):
    """The notification's data lacks a value its template needs."""


# (subject, email body, SMS body); SMS bodies stay under 160 characters once filled in.
_TEMPLATES: dict[TemplateName, tuple[str, str, str]] = {
    TemplateName.PASSWORD_RESET: (
        "Reset your password",
        "Hello,\n\n"
        "Someone asked to reset the password of your account. If it was you, use this "
        "code within ${expires_in}:\n\n    ${token}\n\n"
        "If it was not you, ignore this message; your password stays as it is.\n",
        "Your password reset code: ${token} (valid for ${expires_in}).",
    ),
    TemplateName.ORDER_CONFIRMATION: (
        "Your order ${order_number}",
        "Thank you for your order ${order_number}.\n\n"
        "Total paid: ${total}\n\n"
        "We will let you know when it is on its way.\n",
        "Order ${order_number} confirmed, total ${total}. Thank you!",
    ),
    TemplateName.ABANDONED_CART: (
        "You left something in your cart",
        "Hello,\n\n"
        "Your cart is still waiting for you, with ${item_count} item(s) in it:\n\n"
        "${items}\n\n"
        "Pick up where you left off: ${cart_url}\n\n"
        "No more of these messages: ${opt_out_url}\n",
        "Your cart is waiting: ${cart_url} Stop: ${opt_out_url}",
    ),
    TemplateName.RECOVERY_OFFER: (
        "${percent}% off what you left in your cart",
        "Hello,\n\n"
        "Your cart is still waiting for you:\n\n"
        "${items}\n\n"
        "Just for you, ${percent}% off ${offer_items} with the code ${code}, "
        "valid until ${expires_at}. It works once, for you only.\n\n"
        "Pick up where you left off: ${cart_url}\n\n"
        "No more of these messages: ${opt_out_url}\n",
        "${percent}% off your cart with code ${code} until ${expires_on}: ${cart_url} "
        "Stop: ${opt_out_url}",
    ),
    TemplateName.DOWNLOAD_READY: (
        "Your download is ready: ${title}",
        'Your purchase "${title}" is ready to download:\n\n    ${download_url}\n\n'
        "The link works until ${expires_at}.\n",
        'Download "${title}": ${download_url}',
    ),
    TemplateName.WEBHOOK_ENDPOINT_DISABLED: (
        "Webhook endpoint disabled: ${url}",
        "Hello,\n\n"
        "We stopped sending events to your webhook endpoint\n\n    ${url}\n\n"
        "because ${reason}. Events are kept in its delivery log for 30 days: fix the "
        "receiver, enable the endpoint again (webhookEndpointUpdate with enabled: true) "
        "and replay what it missed (webhookDeliveryReplay).\n",
        "Webhook endpoint ${url} disabled: ${reason}.",
    ),
    TemplateName.REVIEW_REQUEST: (
        "How did you like ${title}?",
        "Hello,\n\n"
        'You bought "${title}" from us. Other readers would like to know what you think: '
        "your review, good or bad, is shown with a verified-purchase mark.\n\n"
        "    ${review_url}\n\n"
        "You get this once for this purchase. Change your email preferences in your account.\n",
        'Review "${title}": ${review_url}',
    ),
}


# Templates that advertise rather than answer something the recipient did.
MARKETING = frozenset({TemplateName.ABANDONED_CART, TemplateName.RECOVERY_OFFER})


def render(notification: Notification) -> Message:
    """The message to send for ``notification``; ``RenderError`` if data is missing."""
    subject, email_body, sms_body = _TEMPLATES[notification.template]
    body = email_body if notification.channel is Channel.EMAIL else sms_body
    try:
        return Message(
            subject=Template(subject).substitute(notification.data),
            body=Template(body).substitute(notification.data),
            marketing=notification.template in MARKETING,
        )
    except KeyError as exc:
        raise RenderError(
            f"template {notification.template.value} needs a value for {exc.args[0]}"
        ) from None


def required_keys(template: TemplateName) -> frozenset[str]:
    """The data keys ``template`` uses (for callers that build notifications)."""
    names: set[str] = set()
    for text in _TEMPLATES[template]:
        names.update(Template(text).get_identifiers())
    return frozenset(names)
