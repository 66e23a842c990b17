"""The judgement of each mention at intake (issue 42): is it for the team to answer (needs_response), worth
knowing (worth_knowing) or noise, with its intent, sentiment, language and a short reason for the advocate.

Run by the worker only (`mentions.tasks.judgement_run` → `mentions.judgement.run.tickets_judge`): it reads the
meaning vectors (`mentions.meaning`, the embedding model), so no web process imports this package's `run`,
`examples` or `classify`. The parts, small on purpose:

- `cues`: what the shape of a text says (a question, a link alone, a job post, spam, a bot);
- `language`, `sentiment`: py3langid and vaderSentiment;
- `product`: what the product is (its name, other names, description, the channels' keywords);
- `seeds`: the shipped examples, written apart from the evaluation sets (docs/judgement.md);
- `examples`: the seeds and the advocates' corrections as one matrix of vectors, per process;
- `classify`: the nearest examples plus the cues → a `Verdict`;
- `run`: unjudged tickets in batches, one bulk update; `corrections`: an advocate's correction;
- `evaluation`: precision and recall on labelled sets (`manage.py judgement_evaluate`).
"""
