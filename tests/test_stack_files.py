"""Stack files that are not even config: each gets a clean error with the file, line and column,
exit code 2, and no traceback (issue: 'Nothing bad gets through')."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_aiops.cli import main
from pulumi_aiops.stack_file import StackFileError, read_stack_file

BROKEN: dict[str, tuple[str, str]] = {
    # name: (file text, what the message must contain after "Pulumi.x.yaml:")
    "syntax": ("config:\n  aiops:platform: {environment: dev\n", "3:1: expected ',' or '}'"),
    "tab": ("config:\n  aiops:platform:\n\tenvironment: dev\n", "3:1: found character '\\t'"),
    "top-level-list": ("- config\n- aiops:platform\n", "1:1: the top level is a list"),
    "config-list": ("config:\n  - aiops:platform\n", "2:3: `config` is a list"),
    "platform-string": ("config:\n  aws:region: us-east-1\n  aiops:platform: prod\n",
                        "3:19: aiops:platform is 'prod'; it must be a mapping"),
    "duplicate-key": ("config:\n  aiops:platform:\n    environment: dev\n    environment: prod\n",
                      "4:5: key 'environment' is given twice in the same mapping (first on line 3)"),
    "duplicate-namespaced": ("config:\n  platform: {}\n  aiops:platform: {}\n",
                             "3:3: config key 'aiops:platform' is given twice"),
    "unknown-aiops-key": ("config:\n  aiops:platfrom:\n    environment: dev\n",
                          "2:3: unknown config key aiops:platfrom"),
}


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: aiops\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(text)
    return tmp_path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_stack_file_is_a_clean_error(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    text, expected = BROKEN[case]
    root = _project(tmp_path, text)
    monkeypatch.chdir(root)
    code = main(["plan", "--stack", "x", "--no-policy"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: stacks/Pulumi.x.yaml:{expected}" in err, err
    assert "Traceback" not in err


def test_a_key_named_by_token_config_key_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  aiops:cwToken:\n    secure: v1:abc\n"
                    "  aiops:platform:\n    coreweave: {tokenConfigKey: 'aiops:cwToken'}\n")
    config, secrets = read_stack_file(path)
    assert secrets == {"aiops:cwToken"} and config["aiops:platform"]["coreweave"]["tokenConfigKey"] == "aiops:cwToken"


def test_shipped_stack_files_read_cleanly(repo_root: Path) -> None:
    for path in sorted((repo_root / "stacks").glob("Pulumi.*.yaml")):
        config, _ = read_stack_file(path)
        assert isinstance(config["aiops:platform"], dict)


def test_a_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match="cannot be read"):
        read_stack_file(tmp_path / "Pulumi.none.yaml")


@pytest.mark.parametrize(("arg", "hint"), [("Pulumi.dev.yaml", "--stack dev"),
                                           ("stacks/Pulumi.prod.yaml", "--stack prod"),
                                           ("stacks/dev", "is a path")])
def test_a_file_name_for_stack_says_to_pass_the_name(arg: str, hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", arg, "--no-policy"]) == 2
    assert hint in capsys.readouterr().err


def test_version_and_plain_help(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert version("pulumi-aiops") in capsys.readouterr().out
    for argv in (["--help"], ["plan", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "``" not in out and ":class:" not in out  # no raw markup
        assert "stacks: dev, multicloud, prod, serving, staging" in out
        assert "2  a configuration error" in out
