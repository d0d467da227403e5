"""Training material: collections (专题) of cases with teaching notes and discussion questions, warning-case filters."""
