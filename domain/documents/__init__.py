"""The ERP document (单据): its types and audit states, landing a batch by number with day
close checked, the day-close guard, and finance's confirmation marks. Statements, hand-over,
credit and billing build on it; it builds on none of them."""
