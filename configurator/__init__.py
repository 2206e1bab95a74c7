"""The Uzor configurator: a UI-free core of setup steps and three shells over it (a Textual TUI,
line prompts, an answers file). Run it as ``uzor-configure`` or ``python -m configurator``."""
