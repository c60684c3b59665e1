"""One-way export of the other Procore tools to SharePoint (DESIGN §1.3): a PDF per item plus its
attachments, in a folder per tool; drawings as their current revision's own PDF.

- `tools/`: one small module per tool (what to list, what the PDF shows, how files are named);
- `document.py`, `render.py`, `fonts.py`, `naming.py`: the PDF and its name, pure;
- `state.py`: what was exported (Items table, a partition per project and tool);
- `passes.py`, `item_export.py`: the pass over a tool's pages and the export of one item;
- `schedule.py`: the entry points the regular sync calls (webhook resources, requests).
"""
