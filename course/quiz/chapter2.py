"""Quiz bank of chapter 2: made by `python -m tools.build_quiz` from the instructor's
tools/quiz_source.py (do not edit). Right answers are salted hashes and explanations are sealed:
see course/quiz/bank.py."""

# ruff: noqa: E501 - generated data (sealed explanations)

QUESTIONS = [
    {
        "id": "ch2_q1",
        "chapter": 2,
        "section": "2.9",
        "number": 1,
        "variable": "answer_1",
        "multiple": False,
        "question": "A text goes through the pieces of a pipeline. In which order do they work?",
        "code": "",
        "options": [
            "The model reads the raw text and predicts; the tokenizer then turns those predictions into "
            "text.",
            "The tokenizer turns the text into ids; the model turns the ids into predictions; where text "
            "must come out, the tokenizer turns predicted ids back into text.",
            "The tokenizer turns the text into ids, and the model turns the ids into its prediction, which "
            "is text already.",
        ],
        "salt": "a3a11206c11aae45",
        "right": "b00dc51b60e71a0cc5c4690f9ae45a3b139a0799a88a63c160d5d7a09ad4134e",
        "sealed": [
            "pK7JEOt5R27TJhY6FuteqcPnMgN6cHC2YA9stpkh2bs75kWYJUiyiVvFt3eB1iHbplDXQPPvOVZsZC9nQkMTz74m2/XF4nR+oglr1gQHd2HLVyFenkPBo1oT1ir8pEuuJXjs3ozXZk19K4OeiSV6BvMQpivJqUFlO+Tr/qdNyPw1WSjzGNrKKgk8/aITH3MkHz1soViGNsMAtBtMBPw4ztRl2ZJNlTR7JNmoiDr6GMl8lFTHE8T0",
            "KE6BOCBAduWmTVB8iToJUxTJPHfFC1C5EBdt0xmMY2S3vnOeTb29jt5wn9+jHx4LGYtBQhIw4fwRu9b72BJ5353sN9pIP9VlHwvE9FVWjqLXaTUCjn5u4aQj6rAa3rr97u6FwEkiODmR2HcsvrwZ3nLFK/PyEicD1qk951VHmUmttRzj3oZQoEzpXEvhycssf+ysuVCzBL8/VGZy3rp17nagk2vEs1LUv4lLaD+RGY3JAeG9SKTSOK+avZUEKfaBFj6yLgc7hthFJAhMQ0+5doysx2p97a0alCp1a41f6pt+noZaBgJQBEdmZPLSiUWd+i2H48oJ61rLMpo5vEhasWm4F1qEjI5HmFi+DXmcV7h21CIS4cM7SGTzxP/PA9M/AAb6jt9HYDxtkH4=",
            "XLpSH1fRydXVvjtshuoUfcu3prQzjXkmGcdHW/BJrbiGymk4Ui9o6Pd6WKN3DJPV/67TQTO+L9wCAigqL7ABL36lYW6CdpI08qC6Sw+EwkQbS0zk8zg0Azv+OafVcyDjdNmt401pJP+bN3fQMGzDR3b9lmARt5dPf9EKAOJEK9DG234kQ01VXfCpJXrGsAtaU0CLT7O4zhS4vJiwRpGJkKpaq1592gpGwFoY7VmYUL3XYSTswWhQLD3ANwBOccuI",
        ],
    },
    {
        "id": "ch2_q2",
        "chapter": 2,
        "section": "2.9",
        "number": 2,
        "variable": "answer_2",
        "multiple": False,
        "question": "A base model (`AutoModel`, no head) returns `last_hidden_state`. How many dimensions does "
        "that tensor have, and what are they?",
        "code": "",
        "options": [
            "2: the sequence length and the hidden size",
            "2: the sequence length and the batch size",
            "3: the batch size, the sequence length and the hidden size",
        ],
        "salt": "3bdf43e863cf4c9e",
        "right": "95b5489b7367dd17dca5a97f2f04d1b7fdf0090baec5be930da907411d4686d4",
        "sealed": [
            "JULPbuHA5H9LU9IShgXP8P4XHp7FRUKbzu2ev2fYqOnDmpnPwArjCryQzJHc/EXB44u+y9teQQrrccfBsOhtWHhcLC95ON7vxD3E/UZ4gzRf+1cnDsjVPs+b22fpfXZYxoOFFLsnafE0L1vWc0Dk1oeN0ylg7Ld4yTYkgBPc0zQDqvQE2459aW240Q==",
            "OSQpXC9VXxQfSD0R58AwS/ANnXhB+N8ba+VunJQb3w/NBYmmKc0/u742EgoeVHVhIcRU0tfcte2Nc6zqvrwi2qSv/1TnG1EVTN3FamUB/wViPYzsVvqIXkyrW+YCNTi4NTooSzaa9xQvCalqKhladXl068Q2EI0AkEfMgM0X143weILziR+Yedqzgru5w05LNg==",
            "xbVqwVcp2bP9awHbVcO7CfHos6sjuL4IWqqvnePtx7BHCiJTSt8hVsbKAPG6cj0Xh1bMdX8XC80NCYeutorXjbHHfXpMBaecpX9C1pv2TmEO76Dan7PvohVHw81f0L1BeKJD0qA9nZp44YHyrnIzmBbV93lgta6pAg0Zx8F8hf/Zwo+hTpzKLOIGusFGgiz5gQsxoRVLaX2HkmBSyzqv1yDHw0bk7OOCDHAtYaMMz6hB4zNjSbzKTaT7CdlN8awGoT3FIRvpAcP+Px4XyD2esfGOGG0wOqV31KA2VStsBP5xud2ckIfm/7VKrQZ0YWmFVYLGo64dgFOeD48ijoCb+FCsw82YqrSGaNUxb/M+MczI8CupcPoWeA==",
        ],
        "sealed_changed": "VJn0OhdPcrHxi4x28p0PElme55rC/IbpBHnCaIXU8s65Gkc2D0d7JjV6Rmwj2REuyjAhvfIyxo4m11w14oOVygyJE3z7fdbQLvioF6IhEmeffrou+GbVvp70O1KPxHmpoEpDx/DHBettzk9ZnnUAfeGsfx0Nyk/LdC1Wzd+h/Nv4UJOBwKQu3Lg5",
    },
    {
        "id": "ch2_q3",
        "chapter": 2,
        "section": "2.9",
        "number": 3,
        "variable": "answer_3",
        "multiple": True,
        "question": "Which of these are **subword** tokenization algorithms? Choose every one that is.",
        "code": "",
        "options": [
            "Unigram",
            "Character-based tokenization",
            "WordPiece",
            "BPE (byte-pair encoding)",
            "Splitting on spaces and punctuation",
            "None of the above",
        ],
        "salt": "cb2b5d67130a12b4",
        "right": "9e227e9b478fd17fc4eb4559abac7fc70fa9d25403503bd190d33490e3374d5c",
        "sealed": [
            "Lm+wEtmu9JhRi3JvFRtvcYo8Bat9jqgk8IcrHCyG7ynxGwsiV5crY57ZD4R0TUx03thr66SujwpOZH76q+yY4dKV0SW1twR5a4QS8sIRr95wfMZZIlRXB8Yi0NjO1aEO/aI80cPekW4RUMdWyAhz25QodOihWvovWWVbrYrRNKfHfOZA6M/6NV7e5VfHDwJYuVuJKJXZYnyn2MdxYcmwsU2Ok+NI3KW70ED3C7/ZoY+RFrIwDMKKAVSD",
            "Yi4PhRQnLj9Ro3iQbq1/Prf3uUDf4TFh12JU0YsxLwRcvDEjL+a0XgP7h9JzDQFEtAOhtIcAnkRB/yA4aa2hfgulz0yytCS5RAsEe9wf+ZCDW4F0dQbvZlBIH7gX9TPk1oB8fA0qJUART0AZb/nrOpv5keAHr6/Ovq923FRAOxviDitXs4tjN4kPXKdnMEUrU+TQJJgrKFxTqFjas9aJsbuy5wCrYw==",
            "GEg+2SjOHehUFVCJQY0C2ZAy80Pl88Kjr2mjq7wEG57usOYYT1GNV+EQBpaVbCtaRrbgSlmiIrJew48IMWleBQ5iUtflE4vs+25CaVh7R26XaeKMKOmM6KcmLGaGXdvkIa1KbpweZQeVHiG0WYjBrG0xwbY1NpfAJleQD0Y9fR9MuEiW7TiYzC8x8xsjqSOuvYXKexazcwXpPoTHRl6/+g==",
            "7hxEq5YBWnSP+OzcqubkD4OBg46uqbgIEbcTQMnwOkK7pjJlhkrj5ZO00sDTWYxjZnwca8sYsIxQGg8qwxsbrOb8DO1oUJ6QlQ1YuJpZg6jNaaPldSmK+hDEsRUBiMe4qJ+zvK/Nb45BwB5BtxvwVEVVjvDn/icnJNVBIJ/+XOGVC6u/klG8KO/OACAqTTEpgGk4glzsnoNLlKLyqz+J9dguTFq8X5Dbeo30eWaq0DD+Adr6hcnYVvgvN2ymb/Orl4rx0o0=",
            "KAUtZ/wQiQ4+24pT8FBh0zl/6mvI2K6Rr/Xky938HRZlt3Y8AscA+liluXme2dBVGK4KT4JorAF/jSC2i2p9Rg1WyqQ/wGoruLzyF5/NYqHq/QqQ8SBWCktycuT/ZfpBsCdqQmxtvAZpfa9D5DaMbLKMlkPeL4zg5nk7zCeH3UxiRfMd4xDce6udgH+U+VisM5g8mawsaKtuRr8=",
            "NZiI5Y37cGeFOposKt86EDAzMPX9YSXiwjsFS0XObXiSEKHbiC6aCkqg6PYknFs7WqyvuOaROTOJk0vVWlVe1jcYYLGT+r6lQbOlGFQpR3faihA2OInIEhTrzFjlFTGhVmRflui4ww==",
        ],
    },
    {
        "id": "ch2_q4",
        "chapter": 2,
        "section": "2.9",
        "number": 4,
        "variable": "answer_4",
        "multiple": False,
        "question": "What is a model's *head*?",
        "code": "",
        "options": [
            "A part of the base Transformer that sends each tensor to the right layer",
            "One or a few layers on top of the body that turn its hidden states into the output a task needs",
            "Another name for self-attention, which updates each token's vector from the other tokens",
        ],
        "salt": "172e7b89dcec8beb",
        "right": "0d1eff0c40559acc8fe5769b3491ba3e8349c61a5f7a4c3e514fea2bf13b6ea1",
        "sealed": [
            "gUWBDPSiyAxF4TU+6ZZMsQxo5U90yzVSu8GfwSSo2iOx5omJzN1faIf5Vv03LDExqfuL7G0IuN5vonsGVy6yWkR6u2SuC7+HV0ujp1yjFQNsnFyx4satH6xHGGdQqP+kZVWWjnsuhskVZ0IzbxuYaXNGNTRKEYo5PHX9/w==",
            "OTfcMg7fuklXsYbLcmovDb8opjfQrY4G7dHQ53q692b69bdBU6NG4huBY3RhWn68Fq1fcros+6W5Qn4qNgeyPdH+Eb5fm2Zy0Zi9VXpeQ+gKZoWbIgaAMxhKvY11yhqTfd5T5hNpn14avk0Kp6n5WfcqJFwJnuj4iZRswJmaljyJXhxKCUzCCq9OukWBJu+5pc5HlC/6Ps+OKH1pQjHq7qNSl7AAxSRFPmtyOoadszn53w5eASVp2yD8/SQKYfJbDDuAFMpLR9u72eVdfAwNJ99n8XmAO8BX8eM5WP6VvD2x2sMaRzTLV5V37oYCld50N1GFqjHIDZTsoDeMAsqG2AkVGMKvE84ddipJ",
            "Ka7wA4971LA1Xy+mWB4xaD3qtJR9WrLC1OtzwHyBOq64im9dHMYZSWIPrckHJDAstvI6+hjRnnBzwpJG+jGfnBwhbhoeaVVJ3WeIyl9pVqrD2woiLfxxQAoHQCHXAGEE5ACr0yJKqePZR014Z+aewa0Nh51kr3YRxaEX6QlWtbU45hLsQzOzYlILclIEVlm++gchcObB",
        ],
    },
    {
        "id": "ch2_q5",
        "chapter": 2,
        "section": "2.9",
        "number": 5,
        "variable": "answer_5",
        "multiple": False,
        "question": "What is an `AutoModel`?",
        "code": "",
        "options": [
            "A model that trains itself on your data",
            "A model that detects the language of its input and loads the weights for that language",
            "A class that reads a checkpoint's configuration and builds the architecture it names",
        ],
        "salt": "e32dc5810f426636",
        "right": "e79091516eefc7f6f8ba726e92a2362fa3a1b1fe78220107a20df38c76c52e4e",
        "sealed": [
            "ZZ/YfDJDVIOaV3D1H9BG+N2xTFM4BP5MpbgXGYwAp2BuXQIiVcRxxVR2gnMV15jfUPaxLERb9+g3LpLqApEIMPdZ21XcTTr/lEAhe8HCXptiRQLvLcsx4Ouu8BraNKWVgDEk0UhYObfpIoCEc4X9mpgD/AySIs4N2Ma/VNxaG1xq0nVyAQqoc7x5S4uSZrrOKSutZdrrGCfkH/5YEsjmbNzkaTE=",
            "ArS6SirjMwtp2G5WnREGJ5GkXy2cPvW19C+c/Cd/CemGeHUKOSVutyFyS3ClICshx69IJBFAmbLPz+DojH50lZ6IQTonroyQih4jq7Kn318OzVhJ9K32q3CMnpKsqLqhPmkGmCEsltfjqIxB9h6ImZ9t7Q5oKAfmYknLYFnnukba8SjncnLIrQXSY0sEfwEdw2VJYntZR4m/HPPg/CbMTnjxbZpZ3g==",
            "PIeNbqc3WpHUgeO3rjFkfWq5k3uj0uxElX9l4d5oHwlPFUffguVXwK44YMbJ/RyYs8AM0npH5316PuM43gtbrnsrWbVICzc67AQc5qDhR+CrW1CTC2DrJOBoZ7r21JitwQr9PdyufSl7t7tbhdAD6MZhRWFip/Oy4sV2GFPsjr7DGT5d1I4t6aOJAyyyR3iV4Nxg7s3rS/5PUwqtSKmE8G/6W/lkA4zXilfXNGuvZcRaDY9vILIQSEmbuUoD2nHLIJR6u6EM+749jO1w3OEHT1HyKCOZhuOrZo2On3Ge4GTXWMCTxBGkbn1FYE1y6fxDZjah0k7KonvLuLL7cWfFXD2LIe901YJPreFdE26YA2vXx2Z0qo1r+E/vM5u2qoVnwcaUpVNGKQ==",
        ],
    },
    {
        "id": "ch2_q6",
        "chapter": 2,
        "section": "2.9",
        "number": 6,
        "variable": "answer_6",
        "multiple": True,
        "question": "Sequences of different lengths go into one batch. Which techniques do you need to know about? "
        "Choose every one that applies.",
        "code": "",
        "options": ["Attention masks", "Padding", "Returning tensors", "Truncation"],
        "salt": "daeee0cdeefc07f5",
        "right": "0d8d2cae3bcc2542197958e7542494eea79108df4285526db629d2a657f71b8c",
        "sealed": [
            "gV0pYfukCSwW3vX4Sacnvk/Vpg/qpmLghBbYVE8X12obZi3yfMVfDGh6Z8HJ5qtaY9GzVmk+cKzAM6k19seeyzfN3d+WP9iXDTukkTj0xfmrmLpJBSSoCoTOx/6m5ZMDx/ecMTVIqKxlXDnISa9vd4OenHG5yO/52Zcjbz+3k8f8yWINv6xHpk/8v4RgFjlzRp6YM6D4NHKpLMw2+6ahLtR79xOhwFcH0UJoiL60D3cHBjzM",
            "B0dGk+FcRGrZ1zzE5SvTOmoeL465Guv3f8pY4AD694b+lX856CDdhi4RkONt0XD4z15Puql5NszUYQVZ+Ai1lL9XLPcGmdNBaIi6forjK6vD8uDwnexYgY2BTSipVK5aqNdIhvtAgJIOCJuuNYaY33XoePjbPB9hE2B6cF9X/7WngncuWZxhmOTCSaHntrIQO77d3QBK55lej3bS75ne",
            "OncgUegrEpC9Werbhly6EE2FKY1eRBWr3jr4nxq3Vgp8+k6Eml0NoDCPN0Btfzz/BW5T56g7cw/VQ8d8HSTDOsVrYhvmydG++8B8StQoEsvvSOI7lyVEBxWhNyJvyyHwhTed2FB6MQkeRGHo6JgxDcldisdz3vMOc6UEWlyjXz2jTRe2QxD52zeOOO2lNJbRjrSX4xKPaLefPzlx1h1UOZUxVFvwpTyrKP4C3mde2ELLlfY2ug==",
            "UvcqgkStYKzXr1dlkCMQtbhZq72Ccf/aDPP2jS1/UsxmubZJ8SE2qj2BL64jrsBCKostCZy+XDhURjGfF6/2gc5FgT5JfCdhsCf6vO1DwTCUlNY0x+dMbonF5xXgMjjMmcS5KjKgoAjMwV9DE95YPoyC7Wz6Nfdm1Aas5529GnTP/kxNrBRs/qmUXdqlT5GFuP2eTLO2nYDDwler0StVcISU6DryxJO/wdbE+zagO5whl6o70zY9D2DgqmxBhX1+iijg9C3noP1I",
        ],
    },
    {
        "id": "ch2_q7",
        "chapter": 2,
        "section": "2.9",
        "number": 7,
        "variable": "answer_7",
        "multiple": True,
        "question": "Why apply a softmax to the logits of a sequence-classification model? Choose every right "
        "reason.",
        "code": "",
        "options": [
            "It makes the logits more reliable.",
            "The outputs add up to 1, so they can be read as probabilities.",
            "It puts every score between 0 and 1.",
        ],
        "salt": "f7076e9fffe0f0fb",
        "right": "725ed0fccc7a7400e26192dd758f00b36f129ef4d8929f318379d3d3ba0c144c",
        "sealed": [
            "pOoRKt+QFyxlRBc4s9yKgvRoGOogjBsde5AhQF2Ksu5x1gGHVSYfvkGiBsDjjFy5ARc5VA7MzZVx5m0Bz3SH4FVUaijQ2ojMaRZi2zk63m/XnG/PZKrhrPrpIePsHIo/sNeZ64blEdO5/2k0N7mf2mwt9MOlqyM5GcxTOqZI7rgnQQsRigirhfvXuZxXXpQj6a5T+9KAnDeLlmlCUxGu/62U",
            "LnZ6RO8wxDriPAsUONRFvnL+Da1JhzZj0yXlfxo9d+mdtdeRAT7KaVilPXNCFqy+BRrhj3axtZRHS1auj9TvPxX6A8/YMoTWjy7VFxvZFs+FuUjXnf6tIkKa3lG5BX2WveZFutdCdXDSMGOh/TdW7K8ll8BadavW6/Zs1GrHgOOAJH1IjG9/qGbd84fqXpR5ONIt6+5HJa11OdJrO4FW+0a73IK2N4m0ps287l0kHScG/Y5PqzpH9vGm",
            "NpFLcp3xjTMVJ8KtgDKJmkqgKT34622Iisjh5PMNomYDZcxPl5eZ7WUejZk4vhNvbKSU1/vGCgycXdDqbjAJPlcS4fZp30cqWb82ncAHYd+EHQefYmkaGrGnYkMMH2tKJpmXz7NjrjwGJkU=",
        ],
    },
    {
        "id": "ch2_q8",
        "chapter": 2,
        "section": "2.9",
        "number": 8,
        "variable": "answer_8",
        "multiple": False,
        "question": "Which call is most of the tokenizer API built around?",
        "code": "",
        "options": [
            "`encode`, which turns text into ids and ids into predictions",
            "`tokenize`",
            "`pad`",
            "Calling the tokenizer itself: `tokenizer(texts, ...)`",
        ],
        "salt": "bfb18be35f7a8e98",
        "right": "2d19a333b333a8719816aa7ff2766ef2c0e89ff8f503d86e95335f03243868a4",
        "sealed": [
            "3+D+PUXdNEKpn3nqgODj2s4SpnvUpLvkGfjU8JzRr5hAYyLnUH8RTSBjfF4BJtZaIhqPWFdx/knEbKBpeIQ0WWaCnOu1gP+ue5gJeK7DKuiSSoNYiBcv15A/1wx/VOQ4CgzfREVAgQvGG/AplrFnPeVZwHdAj4FGOu7l2/JK6a/88A+WDblOF92NLPBWrHt0CMb+pithfOqLAaXNjfoL4vTYmMnICpldY9bH8fOq",
            "4pPbTcj4CJcr7xZP5mVROsJ0fngJhc957YwmOMOD+C3dAr4eP4v7sCzM3Aw7SsHMJ5o88BUpIDOH7EflTLhtYG04geSarKqKutA/FEzEy3ffXj8qlUgiQX6wB3nTrVjWMJAxGgUun4qOjpkVkYcNHe3aY/WqFxHNIQ==",
            "Cbm01YJqhOMbqCWAozNgu7nnFd8vOEH8Y7YX0KeHdIurSPtHcJR4LM9y8NF9p96Jgx9CvfY9nLdz0XCvPDY853/bFk36wulTn2tB3/0OwaNRV9fuMxG6PlC67Hm2gcBtd2jZ+UgbNTG210+POcn6TQ==",
            "70zIEKxJ3RNFOS1LpiWuidmgTOlcjHLvSA/LsfrHMv8d53iS9QNaZYmsfop6abFByzEOR6pUtgkC/M2khc5SrgH/OZPYpFMgXGv/XQao+GJFTmyJ0Ytisw2nuY/YSx9EMyREkAXXN/ROkc5D7CA4sTHVyyx902w59islqzFUrH7N6xACMB0nigk8jXRZtLIe+jHQY2Zg8b3yL0KPn8qwK9iJtaSmhXyQITFvMFE2WkZensiYRxBRM0Sd5+y3IXxuOXrZnlfEUhyBBA6uLkFg8chEMXp8S/I0tHME99rV81k3jgloS/9EFM9U7Q2zNIJ7EFU2T1E+lSq499HAXLOU8o1iwZZx8tIzk3uL8WbQtPl4RSN8ltmuozB5zmI=",
        ],
        "sealed_changed": "D6S1q+jfIhqJ1BzO8iuD6X++ONa+i3t/A92iksDXTKrO1h9/Zds7i+H7I/75mE7tV20FkPI7MCsgMbeXyBxy2YgHbpaNsfbAHb7YS+r/nYoE8fVQeIXc5Wyj1osAZncLCdUzTD34D/2a5miCmN6KsOcwq55UzE+G3Ys0gTuq",
    },
    {
        "id": "ch2_q9",
        "chapter": 2,
        "section": "2.9",
        "number": 9,
        "variable": "answer_9",
        "multiple": False,
        "question": "What is in `result` after this code?",
        "code": "from transformers import AutoTokenizer\n"
        "\n"
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")\n'
        'result = tokenizer.tokenize("Hello!")',
        "options": ["One string holding all the tokens", "A list of ids", "A list of strings, one per token"],
        "salt": "af54dae198a7a627",
        "right": "2863f9d408c0049d89a64bc1b856149200a13852f1b0e5d80e2f5881a40eefa2",
        "sealed": [
            "2uuog0soeMbfkm7ItEV/nygbw/O/51zKNagUkGKiFULiGmWhoWc+c5T4ngjYjUvW/r9EvlFyVrRK2w8dAc1qJQD0/ObDccFixtP6qR7M+q6/nbjRVUDEJwX6z3KK/p3keXvoF5c=",
            "16rI1pCV+5vg2ZvP9efwzZXIjbfaN9o1NSG4huaGbWC/EdLko9bY/WU7R4BQmVCt4ZRpfVZRbdo9ZFZYByJDkZW/ftxzhdD1hCqCTN8QFh9Fz0RGNE+9CCcMxtz4DBgmnIXcjSI6jbIywxylPb62x9I7Csvc66x+pJGjdA==",
            "LloIJ84PQVNAo+siFSprAuGG33A0IBhB692iHYMlwip5FqEiXxPGrGMW1wa6Do8IJXB9hxv5LviOYR+bv9kKICQnKK8cahNKQ3NzR7v87jDjWQdYiIA5ZFIS1SRkVvFjxTHQ/F1y8uTenw6s98VUUsuXZJLAjP80g+w+sT6EHttpol+vqBwdAsweEEq7ReBHRn/8bmI=",
        ],
        "sealed_changed": "GQ82varvPJ4lJ0ErRVN/nmm/nuPR/WmEi/DOod0ktP3zV7dkUp2bE0x6ZaHBNcZgiypgz51b4ISoPTd70TAglLRnQcSJmmn/zvESnuU4FNtPJhQBmWvRmhdAOd/p3r98hN3rxwPB8Spl5/d42bRkfkFu96AXTebEuEK9XokC7elUK5jw+78cSBzRjiprDMcaoRXIMB2ob7QRKkI//TSVwD9jWVw=",
    },
    {
        "id": "ch2_q10",
        "chapter": 2,
        "section": "2.9",
        "number": 10,
        "variable": "answer_10",
        "multiple": False,
        "question": "Is something wrong with this code?",
        "code": "from transformers import AutoModel, AutoTokenizer\n"
        "\n"
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")\n'
        'model = AutoModel.from_pretrained("gpt2")\n'
        "\n"
        'encoded = tokenizer("Hey!", return_tensors="pt")\n'
        "result = model(**encoded)",
        "options": [
            "No, it looks right.",
            "It should pad and truncate, because every input is a batch.",
            "The tokenizer and the model should come from the same checkpoint.",
        ],
        "salt": "8e211b6be30b9c2b",
        "right": "81d99d05382d4065bca0764aa69afa9056798b8700cd1c1cdaebd9bcd2fb46f8",
        "sealed": [
            "a3xkkQAXr/AtIT1hNtVU0zMYP0mdjFdBuxX0xaEF4mAmLOxGa6pPHdx6db9GArJpHD47Hwa4Xod2CcBUuCalzy5A0Mpx5FikhgbVDT8RmKPwrsfuhjdydwswuQ8LMYaGKo+lZsSRiX3QSuHz/JMsn+4tm2ce8q8x4EFy937N+5YwAVKGiqasG2yBm+yXhPKNtF4XO8ucqx+CDbySb49ISeh0itw6RzU1oO2c1C//t0kJ8hBw0TZKDaK0h3nU7Kl1pVQ2CILVhBs7IKVkGTp33MpwLUsbJz1x7GebWAU=",
            "ci/d96m90aGI3YwETjKKPy2Gi7BAX086dgYrHCMMNIWxD6JyR9Dkm885yJNdW1bTueZgArD/XQH/8sbTh2F+IcxEOcP3rS1n0KWsZD7/oNSSBpeQg4P3JwyleXayWA/VaLJ6qY/RGC+ODCakj40K66N9NtiB3P7jQR8bT+/HQZqBaOrVc+glLDQnsyjcwma++f1OwYG6MGDqE3prjybDzTzo5kSC6Lpe/Ig3IK3N8oYCtQC9YBU00xhu7cuNwgtKFf/qDQ22ozeCyw==",
            "NbQNl1M3FKA5POnZAz8crvhfEEFqvBKZxmvIIkCnSXSJM0SDVOo7cU5YIV9xKURFx4ZxYs3dnsVFM2uuYO1UM7UwP4HGznpcnQ4wobD5DebRzN0EFKZBpa/kkoA+LxTQ38bEvV6121VIN/eNsjFQv+1hJd4mG6VM4BSKS+NYiT5SFnQE",
        ],
    },
]
