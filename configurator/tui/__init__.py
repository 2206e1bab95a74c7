"""The full-screen Textual shell over the configurator core: one screen per step."""
