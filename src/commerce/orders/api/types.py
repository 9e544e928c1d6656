"""Orders as clients see them. ``OrderType`` is the ``Order`` node; digital delivery
(download links per line) extends it from the payments side later."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.cart.api.types import MailingAddress
from commerce.catalog.api.types import VariantKind
from commerce.catalog.model import VariantKind as DomainVariantKind
from commerce.downloads.api.types import DownloadLink, order_downloads
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id, variant_global_id
from commerce.graphql.money import CurrencyCode, Money
from commerce.graphql.relay import Connection, Node
from commerce.graphql.user_errors import UserError
from commerce.money import Money as DomainMoney
from commerce.orders import model
from commerce.orders.errors import OrderErrorCode as DomainCode
from commerce.variant_refs import VariantRef

OrderErrorCode = strawberry.enum(
    DomainCode, name="OrderErrorCode", description="Why an order change was refused."
)
OrderStatus = strawberry.enum(
    model.OrderStatus, name="OrderStatus", description="Where an order is in its life."
)
StockState = strawberry.enum(
    model.StockState,
    name="OrderStockState",
    description="What the order holds of the physical stock it bought.",
)


def order_global_id(order_id: str) -> str:
    """The Order id clients see."""
    return to_global_id("Order", order_id)


def _money(value: DomainMoney | None) -> Money | None:
    return None if value is None else Money.from_domain(value)


@strawberry.type(description="A problem with the input of an order change.")
class OrderUserError(UserError):
    code: OrderErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="A reduction applied to a line at purchase.")
class OrderDiscount:
    title: str = strawberry.field(
        description="What the promotion gave, as the cart explained it at purchase."
    )
    amount: Money = strawberry.field(description="How much it took off the line.")
    promotion_id: strawberry.ID | None = strawberry.field(
        description="The Promotion's global id; null on orders placed before promotions."
    )
    code: str | None = strawberry.field(
        description="The discount code that unlocked it; null for an automatic offer."
    )


@strawberry.type(name="OrderLine", description="A line as it was sold (a snapshot).")
class OrderLineType:
    id: strawberry.ID = strawberry.field(description="The line's id within the order.")
    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    variant_id: strawberry.ID = strawberry.field(description="The ProductVariant's global id.")
    kind: VariantKind = strawberry.field(description="Physical (shipped) or digital.")
    title: str = strawberry.field(description="The product's title at purchase.")
    variant_title: str = strawberry.field(description="The variant's title at purchase.")
    sku: str = strawberry.field(description="The SKU at purchase.")
    quantity: int = strawberry.field(description="Units bought.")
    unit_price: Money = strawberry.field(description="Price of one unit at purchase.")
    total: Money = strawberry.field(description="Unit price times quantity, less discounts.")
    total_tax: Money | None = strawberry.field(
        description="Tax on the line at purchase; null when no address fixed the tax."
    )
    discounts: list[OrderDiscount] = strawberry.field(description="Reductions on the line.")
    line: strawberry.Private[model.OrderLine]

    @classmethod
    def from_domain(cls, line: model.OrderLine) -> OrderLineType:
        return cls(
            id=strawberry.ID(line.id),
            product_id=strawberry.ID(to_global_id("Product", line.product_id)),
            variant_id=strawberry.ID(
                variant_global_id(VariantRef(line.product_id, line.variant_id))
            ),
            kind=line.kind,
            title=line.title,
            variant_title=line.variant_title,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=Money.from_domain(line.unit_price),
            total=Money.from_domain(line.total),
            total_tax=_money(line.tax),
            discounts=[
                OrderDiscount(
                    title=d.title,
                    amount=Money.from_domain(d.amount),
                    promotion_id=(
                        strawberry.ID(to_global_id("Promotion", d.promotion_id))
                        if d.promotion_id
                        else None
                    ),
                    code=d.code,
                )
                for d in line.discounts
            ],
            line=line,
        )


@strawberry.type(description="One entry of an order's history.")
class OrderStatusChange:
    created_at: datetime = strawberry.field(description="When.")
    from_status: OrderStatus | None = strawberry.field(description="Before (null: placed).")
    to_status: OrderStatus = strawberry.field(description="After (same as before: a note).")
    actor: str = strawberry.field(description='Who: "checkout", "stripe", "system" or staff.')
    note: str = strawberry.field(description="Why, or what happened.")


@strawberry.type(description="The delivery option chosen at checkout, as priced then.")
class OrderDelivery:
    title: str = strawberry.field(description="The rate's name.")
    price: Money = strawberry.field(description="What shipping cost.")


@strawberry.type(description="How a shipped parcel is followed.")
class OrderTracking:
    carrier: str = strawberry.field(description="Who carries it.")
    number: str = strawberry.field(description="The carrier's tracking number.")
    url: str | None = strawberry.field(description="Where to follow it, when known.")


@strawberry.type(
    name="Order", description="An order: what was bought, at what price, and its state."
)
class OrderType(Node):
    id: strawberry.ID = strawberry.field(description="The order's global id.")
    number: int = strawberry.field(description="The readable order number (gaps are normal).")
    name: str = strawberry.field(description='The number as shown to people, e.g. "#1001".')
    status: OrderStatus = strawberry.field(description="Where the order is in its life.")
    stock_state: StockState = strawberry.field(description="What it holds of the stock.")
    created_at: datetime = strawberry.field(description="When it was placed.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    reserved_until: datetime = strawberry.field(
        description="Until when unpaid stock is held; the order expires after it."
    )
    email: str | None = strawberry.field(description="The buyer's email.")
    phone: str | None = strawberry.field(description="The buyer's phone, E.164.")
    currency_code: CurrencyCode = strawberry.field(description="The order's currency.")
    lines: list[OrderLineType] = strawberry.field(description="What was bought.")
    subtotal: Money = strawberry.field(
        description="The lines before discounts (unit price times quantity) added up."
    )
    discount_amount: Money = strawberry.field(
        description=(
            "What promotions took off (lines, order and shipping): total = subtotal - "
            "discountAmount + shipping (+ tax when prices exclude it)."
        )
    )
    discount_codes: list[str] = strawberry.field(
        description="The discount codes the order used (given back if it is cancelled)."
    )
    affiliate_id: strawberry.ID | None = strawberry.field(
        description="The affiliate partner that referred the order's cart, if any."
    )
    shipping: Money = strawberry.field(description="Shipping (0 for digital-only orders).")
    shipping_tax: Money | None = strawberry.field(description="Tax on shipping.")
    total_tax: Money | None = strawberry.field(description="All tax on the order.")
    total: Money = strawberry.field(description="What the buyer pays.")
    taxes_included: bool = strawberry.field(description="Whether prices include tax.")
    shipping_address: MailingAddress | None = strawberry.field(description="Where it ships.")
    delivery: OrderDelivery | None = strawberry.field(description="The delivery option.")
    status_history: list[OrderStatusChange] = strawberry.field(
        description="Every change of status, oldest first."
    )
    payment_error: str | None = strawberry.field(
        description="Why the last payment attempt failed, while unpaid."
    )
    paid_amount: Money | None = strawberry.field(description="What Stripe reported as paid.")
    payment_method: str | None = strawberry.field(
        description=(
            'How it was paid, in Stripe\'s short names: a wallet ("apple_pay", "link"), else a '
            'card brand ("visa"), else the method type ("sepa_debit"); null until paid.'
        )
    )
    refunded_amount: Money = strawberry.field(description="Refunded so far (confirmed).")
    refund_pending_amount: Money = strawberry.field(
        description="Refunds requested, not yet confirmed by Stripe."
    )
    tracking: OrderTracking | None = strawberry.field(description="Tracking, once shipped.")
    fulfilled_at: datetime | None = strawberry.field(description="When it was shipped.")
    attention: str | None = strawberry.field(
        description="Why staff must look at this order (e.g. paid after its stock was gone)."
    )
    order: strawberry.Private[model.Order]

    @strawberry.field(
        description=(
            "Download links of the digital lines, once the order is paid; each expires "
            "and allows a limited number of downloads."
        )
    )
    async def downloads(self, info: Info[Context, None]) -> list[DownloadLink]:
        order = self.order
        digital = [line.id for line in order.lines if line.kind is DomainVariantKind.DIGITAL]
        return await order_downloads(info, order.id, digital if order.is_paid else [])

    @classmethod
    def from_domain(cls, order: model.Order) -> OrderType:
        address = order.shipping_address
        return cls(
            id=strawberry.ID(order_global_id(order.id)),
            number=order.number,
            name=f"#{order.number}",
            status=order.status,
            stock_state=order.stock,
            created_at=order.created_at,
            updated_at=order.updated_at,
            reserved_until=order.reserved_until,
            email=order.email,
            phone=order.phone,
            currency_code=order.currency,
            lines=[OrderLineType.from_domain(line) for line in order.lines],
            subtotal=Money.from_domain(order.subtotal),
            discount_amount=Money.from_domain(order.discount or DomainMoney(0, order.currency)),
            discount_codes=list(order.discount_codes),
            affiliate_id=(
                None
                if order.affiliate_id is None
                else strawberry.ID(to_global_id("Partner", order.affiliate_id))
            ),
            shipping=Money.from_domain(order.shipping),
            shipping_tax=_money(order.shipping_tax),
            total_tax=_money(order.tax),
            total=Money.from_domain(order.total),
            taxes_included=order.taxes_included,
            shipping_address=None
            if address is None
            else MailingAddress(
                first_name=address.first_name,
                last_name=address.last_name,
                address1=address.address1,
                address2=address.address2,
                city=address.city,
                province=address.province,
                zip=address.zip,
                country_code=address.country_code,
            ),
            delivery=None
            if order.delivery is None
            else OrderDelivery(
                title=order.delivery.title, price=Money.from_domain(order.delivery.price)
            ),
            status_history=[
                OrderStatusChange(
                    created_at=h.at,
                    from_status=h.from_status,
                    to_status=h.to_status,
                    actor=h.actor,
                    note=h.note,
                )
                for h in order.history
            ],
            payment_error=order.payment_error,
            paid_amount=_money(order.paid_amount),
            payment_method=order.payment_method,
            refunded_amount=Money.from_domain(order.refunded),
            refund_pending_amount=Money.from_domain(order.refund_pending),
            tracking=None
            if order.tracking is None
            else OrderTracking(
                carrier=order.tracking.carrier,
                number=order.tracking.number,
                url=order.tracking.url,
            ),
            fulfilled_at=order.fulfilled_at,
            attention=order.attention,
            order=order,
        )


# A page of orders, newest first: named OrderConnection (with OrderEdge) in the schema.
OrderConnection = Connection[OrderType]


def order_connection(page: model.OrderPage) -> OrderConnection:
    """One page of orders (staff's listing or a customer's own) for the API."""
    return Connection.of(
        page.orders,
        OrderType.from_domain,
        lambda o: page.cursors[o.id],
        has_next_page=page.has_next_page,
    )
