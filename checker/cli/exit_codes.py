"""Exit status of every command, like linters: 0 no flags, 1 flags found, 2 usage or input error."""

EXIT_CLEAN, EXIT_FLAGS, EXIT_ERROR = 0, 1, 2
