"""The answers file: a good file fills the questions; a bad one is refused naming the file
and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from configurator.core.answers import AnswersError, AnswersShell, load_answers
from configurator.core.steps.database import DatabaseStep
from configurator.core.steps.superuser import SuperuserStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_good_file_answers_every_question(tmp_path: Path) -> None:
    (tmp_path / "su.pw").write_text("from-a-file-123\n")
    path = write(
        tmp_path,
        """
        configure: true
        language: ru
        database:
          mode: existing
          host: db.example
          port: 3307
          admin_user: admin
          admin_password: adminpw
        superuser:
          username: boss
          email: boss@example.com
          password_file: su.pw
        tls:
          mode: self-signed
        """.replace("su.pw", str(tmp_path / "su.pw")),
    )
    answers = load_answers(path)
    assert answers.language == "ru"
    flat = answers.flat()
    assert flat["database.port"] == 3307
    assert flat["superuser.password"] == flat["superuser.password_again"] == "from-a-file-123"
    assert flat["superuser.create"] is True

    ctx = make_context(tmp_path / "root")
    shell, given = AnswersShell(path, flat, Recorder()), dict(flat)
    result: dict[str, object] = {}
    shell.ask(DatabaseStep().questions(ctx), result)
    assert result == {
        "database.mode": "existing",
        "database.host": "db.example",
        "database.port": 3307,
        "database.admin_user": "admin",
        "database.admin_password": "adminpw",
        "database.name": "uzor",
        "database.user": "uzor",
    }
    assert given == flat


def test_without_a_superuser_section_none_is_created(tmp_path: Path) -> None:
    flat = load_answers(write(tmp_path, "configure: true\n")).flat()
    result: dict[str, object] = {}
    AnswersShell(tmp_path, flat, Recorder()).ask(
        SuperuserStep().questions(make_context(tmp_path)), result
    )
    assert result == {"superuser.create": False}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("databse:\n  host: x\n", "databse: unknown key"),
        ("database:\n  pasword: x\n", "database.pasword: unknown key"),
        ("database:\n  port: many\n", "database.port: Input should be a valid integer"),
        ("tls:\n  mode: letsencrypt\n", "tls.mode: Input should be 'self-signed' or 'existing'"),
        ("configure: maybe\n", "configure: Input should be a valid boolean"),
        (
            "superuser:\n  password: a\n  password_file: /nonexistent\n",
            "superuser: Value error, give either password or password_file, not both",
        ),
        (
            "superuser:\n  password_file: /nonexistent/pw\n",
            "superuser: Value error, cannot read password_file /nonexistent/pw",
        ),
        ("- a list\n", "expected a mapping of sections at the top level"),
        ("database: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AnswersError) as error:
        load_answers(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match=r"nope\.yaml: No such file or directory"):
        load_answers(tmp_path / "nope.yaml")


def test_a_missing_required_answer_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "superuser:\n  username: boss\n")
    shell = AnswersShell(path, load_answers(path).flat(), Recorder())
    with pytest.raises(AnswersError) as error:
        shell.ask(SuperuserStep().questions(make_context(tmp_path)), {})
    assert str(error.value) == f"{path}: superuser.password: this answer is required"


def test_a_value_the_question_refuses_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "superuser:\n  email: not-an-address\n  password: pw-123456789\n")
    shell = AnswersShell(path, load_answers(path).flat(), Recorder())
    with pytest.raises(AnswersError) as error:
        shell.ask(SuperuserStep().questions(make_context(tmp_path)), {})
    assert str(error.value) == f"{path}: superuser.email: Enter a valid e-mail address."


def test_a_bad_database_name_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  name: uzor-prod\n")
    shell = AnswersShell(path, load_answers(path).flat(), Recorder())
    with pytest.raises(AnswersError, match=r"database\.name: Use 1 to 32 Latin letters"):
        shell.ask(DatabaseStep().questions(make_context(tmp_path)), {})
