"""The contributor journey: what the desk saw each person do (activities: asked, answered others, merged a
contribution, gave a talk, ...), weighed (ActivityWeight), summed into points and a level (Level) kept on the
person, and a recognition for managers when someone moves up a level.

- `models`: the four tables; Person keeps `points` and `level` (people.models).
- `record`: activities recorded as the desk sees them, each once (its source key), and the people's points and
  levels moved by what was inserted, set-based, in the writer's transaction (ingest, contributions).
- `recompute`: the full recount, when an admin changes the weights or the levels, and after merge and split.
- `recognition`: the managers' list and its one-click gift, code or dismiss.
"""
