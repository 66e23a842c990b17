"""The earlier answers suggested for a ticket: candidates by words, meaning and cells, fused and ranked
(ranking, hybrid), computed in the worker and stored on the ticket (stored), and what advocates did with them
(feedback)."""
