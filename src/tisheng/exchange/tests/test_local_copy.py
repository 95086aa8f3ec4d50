"""The reader needs a path on disk: the file itself on local storage, a temporary copy otherwise."""

import io

import pytest

from tisheng.exchange.services import _local_copy


class RemoteFile:
    """A stored file on a storage with no local path (object storage)."""

    name = "imports/名单.xlsx"

    @property
    def path(self):
        raise NotImplementedError("no local path")

    def open(self, mode="rb"):
        return io.BytesIO(b"PK\x03\x04content")


def test_a_remote_file_is_read_from_a_temporary_copy_that_is_removed_after():
    with _local_copy(RemoteFile()) as path:
        assert path.read_bytes() == b"PK\x03\x04content" and path.suffix == ".xlsx"
    assert not path.exists()


def test_an_error_in_the_callers_block_is_not_taken_for_a_missing_path(tmp_path):
    class LocalFile:
        name = "a.xlsx"
        path = str(tmp_path / "a.xlsx")

    with pytest.raises(NotImplementedError, match="from the caller"), _local_copy(LocalFile()):
        raise NotImplementedError("from the caller")
