"""The supervisors' live wallboard: operators and queues over a WebSocket, and listen /
whisper / barge on an operator's call (issue 17, item 4)."""
