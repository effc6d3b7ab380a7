"""The parse pipeline: a thread for small imports, a forked process for big ones."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from klient.importexport.errors import ImportFileError
from klient.importexport.pipeline import parsed_batches
from klient.importexport.readers import table_open
from klient.importexport.records import PersonRowParser

HEADER = ["Фамилия", "Имя", "Email", "Телефон"]
MAPPING = ["last_name", "first_name", "email", "phone"]


def _rows(count: int) -> list[list[str]]:
    rows = [HEADER]
    for i in range(count):
        phone = "+7 12" if i % 7 == 3 else f"8 916 {i:03d}-00-00"
        email = "bad@" if i % 11 == 5 else f"user{i}@Example.com"
        rows.append([f"Фамилия{i}", f"Имя{i}", email, phone])
    return rows


def _batches(path: Path, *, in_process: bool, after: int = 0, processes: int = 1) -> list:
    reader = table_open(path, max_bytes=10**8)
    parser = PersonRowParser(headers=reader.info.headers, mapping=MAPPING, region="RU")
    try:
        return list(
            parsed_batches(
                reader=reader,
                parser=parser,
                after=after,
                batch_rows=7,
                language="en",
                in_process=in_process,
                processes=processes,
            )
        )
    finally:
        reader.close()


def test_process_and_thread_give_the_same_batches(write_file):
    path = write_file("p.csv", _rows(40))
    in_thread = _batches(path, in_process=False)
    in_process = _batches(path, in_process=True)

    assert in_process == in_thread
    assert [len(batch) for batch in in_thread] == [7, 7, 7, 7, 7, 5]
    numbers = [number for batch in in_thread for number, _record, _errors in batch]
    assert numbers == list(range(2, 42))
    first = in_thread[0][0]
    assert first[1]["phones"] == ["+79160000000"] and first[1]["emails"] == ["user0@example.com"]
    # Row 5: '+7 12' is left out of the person, with a warning.
    assert in_thread[0][3][1]["phones"] == []
    assert in_thread[0][3][1]["warnings"][0][:2] == ("Телефон", "+7 12")
    # Resuming after a row skips exactly the rows up to it.
    assert _batches(path, in_process=True, after=30)[0][0][0] == 31
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("processes", [2, 3])
def test_several_parsing_processes_deliver_the_batches_in_file_order(write_file, processes):
    path = write_file("p.csv", _rows(40))
    in_thread = _batches(path, in_process=False)

    assert _batches(path, in_process=True, processes=processes) == in_thread
    # Resuming mid-batch: the batches restart from the row after the checkpoint.
    resumed = _batches(path, in_process=True, processes=processes, after=30)
    assert [number for batch in resumed for number, _r, _e in batch] == list(range(31, 42))
    # More parsers than batches: the idle ones just say they are done.
    assert _batches(path, in_process=True, processes=8) == in_thread
    assert multiprocessing.active_children() == []


def test_a_file_error_mid_file_reaches_the_consumer_from_the_process(write_file):
    rows = _rows(30)
    rows[20][0] = "x" * 200_000  # over the csv module's field limit
    path = write_file("bad.csv", rows)
    for in_process, processes in ((False, 1), (True, 1), (True, 2)):
        with pytest.raises(ImportFileError) as raised:
            _batches(path, in_process=in_process, processes=processes)
        assert raised.value.reason == "bad_csv"
        assert "Row 21 is not valid CSV" in str(raised.value.message)
    assert multiprocessing.active_children() == []


def test_a_consumer_that_stops_early_stops_the_process(write_file):
    path = write_file("p.csv", _rows(200))
    reader = table_open(path, max_bytes=10**8)
    parser = PersonRowParser(headers=reader.info.headers, mapping=MAPPING, region="RU")
    batches = parsed_batches(
        reader=reader, parser=parser, after=0, batch_rows=5, language="en", in_process=True
    )
    assert len(next(batches)) == 5
    batches.close()  # type: ignore[attr-defined]
    reader.close()
    assert multiprocessing.active_children() == []


class _Unpicklable(PersonRowParser):
    def parse(self, values: list[str]) -> tuple[dict | None, list]:
        record, errors = super().parse(values)
        if record is not None:
            record["oops"] = lambda: None
        return record, errors


def test_a_batch_that_cannot_cross_to_the_parent_fails_the_import_loudly(write_file):
    path = write_file("p.csv", _rows(20))
    reader = table_open(path, max_bytes=10**8)
    parser = _Unpicklable(headers=reader.info.headers, mapping=MAPPING, region="RU")
    try:
        with pytest.raises(Exception, match="pickle"):
            list(
                parsed_batches(
                    reader=reader,
                    parser=parser,
                    after=0,
                    batch_rows=5,
                    language="en",
                    in_process=True,
                )
            )
    finally:
        reader.close()
    assert multiprocessing.active_children() == []
