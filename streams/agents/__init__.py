"""One module per Faust agent; ``streams.app.AGENT_MODULES`` lists them."""
