"""Briefs in the forms real models write, for pages the tests draw, each with the verdict it must get.

Every text here is written for the tests. The forms are those a capable model uses (short method
names, bracketed acronyms, leading phrases, usual full names, Chinese names, generic subjects for a
paper without institution) and the ones that must still fail (another organisation, an unverifiable
Chinese name, a translated or another paper's title, a department, a link or an instruction).
"""

from __future__ import annotations

# drawn papers: title, author line, affiliation lines, abstract
PAPERS = {
    "campus": dict(
        title="Delta Velocity Rectified Flow for Text-to-Image Editing",
        authors="Ana Ruiz^1, Wen Li^2, Omar Haddad^3",
        affiliations=["^1 Department of EECS, UC Berkeley", "^2 Tsinghua University", "^3 KAIST, Daejeon, Korea"],
        abstract=("We present Delta Velocity Rectified Flow (DVRF), a training-free editing method that steers the "
                  "velocity field of a rectified flow model toward the target prompt. Our light PSP-Seg module keeps "
                  "the edit inside the region the prompt names. DVRF lowers the editing error by 12% on two benchmarks."),
    ),
    "planted": dict(
        title="Delta Velocity Rectified Flow for Text-to-Image Editing",
        authors="Ana Ruiz^1, Wen Li^2, Omar Haddad^3",
        affiliations=["^1 Department of EECS, UC Berkeley", "^2 Tsinghua University", "^3 KAIST, Daejeon, Korea"],
        abstract=("Earlier caches such as LatticeKV page the keys of a language model. We steer the velocity field "
                  "of a rectified flow model toward the target prompt and lower the editing error by 12%."),
    ),
    "team": dict(
        title="Lantern Scaling: A Technical Report on Long-Context Agents",
        authors="Kimi Team",
        affiliations=[],
        abstract=("We describe LanternAgent, an agent that keeps a sparse lantern memory over long tool traces and "
                  "reads back only the pages a step needs. LanternAgent solves 41% more tasks than a dense baseline."),
    ),
    "anonymous": dict(
        title="MemMamba: Memory-Augmented State Space Models for Long Sequences",
        authors="Anonymous Authors",
        affiliations=["No Institute Given"],
        abstract=("State space models forget distant tokens. MemMamba adds a small memory that the scan writes and "
                  "reads, and recalls tokens 8 times further back than the plain model at the same cost."),
    ),
}

CAMPUS_BODY = "，使用沿目标提示调整整流流速度场的免训练编辑方法，解决了文本驱动图像编辑越界的问题，达成了编辑误差降低12%的效果。"
TEAM_BODY = "，使用稀疏灯笼记忆只读回所需页面的方法，解决了长工具轨迹下智能体记忆开销大的问题，达成了任务完成数提升41%的效果。"
ANON_BODY = "，使用由扫描读写的小型记忆模块，解决了状态空间模型遗忘远处令牌的问题，达成了召回距离提升8倍的效果。"

# (paper, brief, the checks it must fail: [] for a brief to publish)
BRIEFS = [
    # usual forms of the printed institutions
    ("campus", "UC Berkeley、Tsinghua University与KAIST发布了Delta Velocity Rectified Flow for Text-to-Image Editing论文"
               + CAMPUS_BODY, []),
    ("campus", "University of California, Berkeley发布了DVRF论文" + CAMPUS_BODY, []),
    ("campus", "The University of California, Berkeley (UC Berkeley)发布了DVRF论文" + CAMPUS_BODY, []),
    ("campus", "加州大学伯克利分校与清华大学发布了Delta Velocity Rectified Flow论文" + CAMPUS_BODY, []),
    ("campus", "Korea Advanced Institute of Science and Technology (KAIST)发布了DVRF论文" + CAMPUS_BODY, []),
    ("campus", "清华大学与韩国科学技术院发布了DVRF论文" + CAMPUS_BODY, []),
    # honest title forms
    ("campus", "UC Berkeley发布了Delta Velocity Rectified Flow (DVRF)论文" + CAMPUS_BODY, []),
    ("campus", "UC Berkeley发布了《Delta Velocity Rectified Flow》论文" + CAMPUS_BODY, []),
    ("campus", "UC Berkeley发布了PSP-Seg论文" + CAMPUS_BODY, []),
    ("campus", "UC Berkeley发布了DVRF (Delta Velocity Rectified Flow)论文" + CAMPUS_BODY, []),
    # titles that are not this paper's, or not as printed
    ("campus", "UC Berkeley发布了Delta Velocity论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了Rectified Flow for Text-to-Image Editing论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了德尔塔速度整流流文本图像编辑论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了相关论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了Attention Is All You Need论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了Delta Velocity Rectified Flow (XQZ)论文" + CAMPUS_BODY, ["title"]),
    ("campus", "UC Berkeley发布了Transformer论文" + CAMPUS_BODY, ["title"]),
    ("planted", "UC Berkeley发布了LatticeKV论文" + CAMPUS_BODY, ["title"]),  # a name the abstract only mentions
    # institutions that are not this paper's
    ("campus", "University of California, Los Angeles发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "UCLA发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "University of California, Berkeley (UCLA)发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "北京大学发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "北湖理工学院发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "研究团队发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    ("campus", "Ana Ruiz发布了DVRF论文" + CAMPUS_BODY, ["institution"]),
    # a sentence about the paper, not a link, an address, markup or an instruction
    ("campus", "UC Berkeley发布了DVRF论文，使用免训练编辑方法（代码与权重请从http://dvrf.example.com下载并以管理员身份运行install脚本），"
               "解决了文本驱动图像编辑越界的问题，达成了编辑误差降低12%的效果。", ["content"]),
    ("campus", "UC Berkeley发布了DVRF论文，使用免训练编辑方法，解决了文本驱动图像编辑越界的问题（联系ana@berkeley.example），"
               "达成了编辑误差降低12%的效果。", ["content"]),
    ("campus", "UC Berkeley发布了DVRF论文，使用**免训练**编辑方法，解决了文本驱动图像编辑越界的问题，"
               "达成了编辑误差降低12%的效果。", ["content"]),
    ("campus", "UC Berkeley发布了DVRF论文，使用免训练编辑方法，解决了编辑请求越界的问题，达成了运行时间与编辑误差降低12%的效果。", []),
    # a paper signed by a team
    ("team", "Kimi Team发布了Lantern Scaling论文" + TEAM_BODY, []),
    ("team", "研究团队发布了LanternAgent论文" + TEAM_BODY, []),
    ("team", "发布了Lantern Scaling论文" + TEAM_BODY, ["institution"]),
    ("team", "作者发布了Lantern Scaling论文" + TEAM_BODY, ["institution"]),
    ("team", "Department of Computer Science发布了Lantern Scaling论文" + TEAM_BODY, ["institution"]),
    ("team", "Moonshot AI发布了Lantern Scaling论文" + TEAM_BODY, ["institution"]),
    ("team", "月之暗面发布了Lantern Scaling论文" + TEAM_BODY, ["institution"]),
    # an anonymous paper printing Springer's placeholder
    ("anonymous", "研究团队发布了MemMamba论文" + ANON_BODY, []),
    ("anonymous", "匿名作者发布了MemMamba论文" + ANON_BODY, []),
    ("anonymous", "No Institute Given发布了MemMamba论文" + ANON_BODY, ["institution"]),
    ("anonymous", "发布了MemMamba论文" + ANON_BODY, ["institution"]),
    ("anonymous", "Department of Computer Science发布了MemMamba论文" + ANON_BODY, ["institution"]),
]
