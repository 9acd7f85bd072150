"""Domain events for the ERP: what happened in Tally (a receipt recorded in DingTalk, a customer's
answer, a write-off, penalty interest, a credit decision, a day close), published inside the
transaction that made it happen, read through the pull feed and delivered as signed webhooks
through the outbox."""
