"""The machinery behind helpers.py, one room per job:

- course/data.py        the shipped data (with checksums), the full MNIST on request, splits and batches
- course/figures.py     the course's figures
- course/lab.py         JupyterLab as the course command starts it (jupyter_server_config.py):
                        notebooks served so that opening one does not mark it unsaved
- course/notebooks.py   reading the saved notebooks: Task 2's hyperparameters, the model the cells
                        tagged `model` build (the carry-forward), and errors that name the cell
- course/checks/        the checks of the learner's work: framework.py runs them and turns every
                        failure into a message; nbNN.py holds notebook NN's checks, one function each

A notebook imports none of these directly: it imports helpers, whose few names come from here.
The model itself is written in the notebooks, never here.
"""
