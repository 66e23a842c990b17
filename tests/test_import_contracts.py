"""The apps' imports run one way (docs/architecture.md): `lint-imports` checks the contracts in
pyproject.toml ([tool.importlinter]) on every test run."""

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _run(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(config), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_no_app_imports_a_higher_one_beyond_the_listed_ones_still_to_move():
    result = _run(REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in result.stdout


def test_the_contract_catches_an_import_against_the_layers(tmp_path):
    """Without its exceptions (tests of a lower app driving a higher one), the same contract is broken
    and names the imports: it checks something."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = config["contracts"][0]
    lines = [
        "[importlinter]",
        "root_packages =",
        *(f"    {p}" for p in config["root_packages"]),
        "",
        "[importlinter:contract:layers]",
        f"name = {contract['name']}",
        "type = layers",
        "layers =",
        *(f"    {layer}" for layer in contract["layers"]),
        "exhaustive = false",
        "ignore_imports =",
    ]
    strict = tmp_path / "strict.ini"
    strict.write_text("\n".join(lines) + "\n")
    result = _run(strict)
    assert result.returncode == 1
    assert "channels.tests." in result.stdout and "-> mentions" in result.stdout


def test_the_services_contract_sees_the_lazy_imports_tasks_make(tmp_path):
    """Tasks import their services inside the function body; the same kind of contract, turned round
    (tasks must not import services), is broken and names them: a service importing a task would be
    seen the same way."""
    contract = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][1]
    assert contract["type"] == "forbidden"
    assert {"mentions.services", "experts.services", "notifications.outbox"} <= set(contract["source_modules"])
    config = tmp_path / "reversed.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    mentions\n    experts\n    notifications\n\n"
        "[importlinter:contract:reversed]\nname = reversed\ntype = forbidden\n"
        "source_modules =\n    notifications.tasks\n    mentions.tasks\n"
        "forbidden_modules =\n    notifications.outbox\n    mentions.services.sla\n"
    )
    result = _run(config)
    assert result.returncode == 1
    assert "notifications.tasks -> notifications.outbox" in result.stdout
    assert "mentions.tasks -> mentions.services.sla" in result.stdout


def test_the_desk_never_imports_intake_and_the_contract_would_see_it(tmp_path):
    """The forbidden contract names the rule the layers imply (mentions < intake) and counts indirect imports;
    without its exception for tests it is broken by the desk's tests that store tickets through the ingest,
    so it checks something."""
    contract = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][2]
    assert (contract["type"], contract["source_modules"], contract["forbidden_modules"]) == (
        "forbidden",
        ["mentions"],
        ["intake"],
    )
    assert all(rule.split(" -> ")[0].endswith(".tests.**") for rule in contract["ignore_imports"])
    config = tmp_path / "strict.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    mentions\n    intake\n    channels\n\n"
        "[importlinter:contract:strict]\nname = strict\ntype = forbidden\n"
        "source_modules =\n    mentions\nforbidden_modules =\n    intake\n"
    )
    result = _run(config)
    assert result.returncode == 1
    assert "mentions.tests." in result.stdout and "-> intake." in result.stdout


def _contract(name: str) -> dict:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith(name)]
    return contract


def _run_without_exceptions(tmp_path: Path, contract: dict, root: str) -> subprocess.CompletedProcess:
    """The contract as pyproject.toml has it, but for its ignore_imports, over one root package."""
    lines = ["[importlinter]", "root_packages =", f"    {root}", "", "[importlinter:contract:strict]", "name = strict"]
    lines.append(f"type = {contract['type']}")
    for key in ("containers", "layers", "modules"):
        if key in contract:
            lines += [f"{key} =", *(f"    {value}" for value in contract[key])]
    config = tmp_path / "strict.ini"
    config.write_text("\n".join(lines) + "\n")
    return _run(config)


def test_the_stories_features_contract_catches_an_import_against_its_layers(tmp_path):
    """stories' features are layered (releases | issues > incidents > detection > answering > locks > models);
    without its one exception (stories.models imports each feature's models for Django), the same contract is
    broken and names those imports: it checks the features' packages, not an empty container."""
    contract = _contract("stories' features")
    assert contract["containers"] == ["stories"]
    assert {"detection", "answering", "incidents", "releases | issues"} <= set(contract["layers"])
    assert contract["ignore_imports"] == ["stories.models -> stories.*.models"]
    result = _run_without_exceptions(tmp_path, contract, "stories")
    assert result.returncode == 1
    assert "stories.models -> stories.issues.models" in result.stdout
    assert "stories.models -> stories.releases.models" in result.stdout


def test_the_mentions_features_contract_sees_an_import_between_its_packages(tmp_path):
    """mentions' page features (search, ticket_page, queue, forecast) never import one another; without its
    exceptions (the shared reads and writes that use three of their pieces) the same contract is broken through
    those modules, so it follows the imports of the packages it names."""
    contract = _contract("mentions' page features")
    assert contract["type"] == "independence"
    assert set(contract["modules"]) == {f"mentions.{p}" for p in ("search", "ticket_page", "queue", "forecast")}
    result = _run_without_exceptions(tmp_path, contract, "mentions")
    assert result.returncode == 1
    assert "mentions.ticket_page is not allowed to import mentions.queue" in result.stdout
    assert "mentions.services.handover -> mentions.queue.row_marks" in result.stdout
