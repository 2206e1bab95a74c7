"""Every configurator step, with no user-interface imports: the shells (``configurator.tui``,
``configurator.prompts``, the answers file) only ask the questions and show the progress."""
