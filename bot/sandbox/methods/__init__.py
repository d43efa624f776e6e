"""The Bot API methods the sandbox implements, in groups: each group is an object over the
world (and the parts it needs) whose `methods()` names its handlers; api.method_table() joins
them into the one table the endpoint dispatches by. Inline mode (answerInlineQuery) is a part
of its own, in inline_mode.py."""
